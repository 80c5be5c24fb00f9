using System.Globalization;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Json;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Checks live response commands as Defender documents them: PutFile, RunScript and GetFile, in that order (each may repeat),
/// each with its parameter (FileName, ScriptName, Path), within the sample's bounds (<see cref="FieldLimits"/>).
/// </summary>
internal static class LiveResponseRules
{
    public const string PutFile = "PutFile";
    public const string RunScript = "RunScript";
    public const string GetFile = "GetFile";

    /// <summary>The command types in the order Defender runs them, with the parameter each needs.</summary>
    private static readonly (string Type, string Parameter)[] Commands = [(PutFile, "FileName"), (RunScript, "ScriptName"), (GetFile, "Path")];

    public static DefenderError? Check(IReadOnlyList<LiveResponseCommand?> commands)
    {
        if (commands.Count == 0)
        {
            return DefenderError.InvalidInput("Commands");
        }

        if (commands.Count > FieldLimits.LiveResponseCommands)
        {
            return FieldLimits.TooMany("Commands", FieldLimits.LiveResponseCommands);
        }

        var previous = 0;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"Commands[{i}]");
            if (command?.Type is null)
            {
                return DefenderError.MissingRequiredParameter(path + ".type");
            }

            var rank = Array.FindIndex(Commands, c => c.Type == command.Type);
            if (rank < 0)
            {
                return DefenderError.InvalidInput(command.Type);
            }

            if (rank < previous)
            {
                return DefenderError.InvalidInput($"{path}.type: {command.Type} after {Commands[previous].Type} (the order is PutFile, RunScript, GetFile)");
            }

            previous = rank;
            var parameters = command.Params ?? [];
            if (parameters.Count > FieldLimits.LiveResponseParameters)
            {
                return FieldLimits.TooMany(path + ".params", FieldLimits.LiveResponseParameters);
            }

            foreach (var parameter in parameters)
            {
                if ((FieldLimits.Check(path + ".params.key", parameter?.Key, FieldLimits.LiveResponseKey)
                    ?? FieldLimits.Check(path + ".params.value", parameter?.Value, FieldLimits.LiveResponseValue)) is { } tooLong)
                {
                    return tooLong;
                }
            }

            var required = Commands[rank].Parameter;
            if (!parameters.Exists(p => p?.Key == required && !string.IsNullOrEmpty(p.Value)))
            {
                return DefenderError.MissingRequiredParameter($"{path}.params.{required}");
            }
        }

        return null;
    }

    /// <summary>The value of a command's parameter, for the simulated result.</summary>
    public static string? Parameter(Data.LiveResponseCommandBody command, string key) =>
        command.Params.Find(p => p.Key == key)?.Value;
}
