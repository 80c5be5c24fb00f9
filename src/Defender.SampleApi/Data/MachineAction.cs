using System.Text.Json.Serialization;

namespace Defender.SampleApi.Data;

/// <summary>A response action on a machine, shaped like Defender's MachineAction entity.</summary>
internal sealed class MachineAction
{
    /// <summary>A GUID, as a string.</summary>
    public string Id { get; set; } = "";

    /// <summary>One of <see cref="MachineActionTypes"/>.</summary>
    public string Type { get; set; } = "";

    /// <summary><c>Full</c>, <c>Selective</c> or <c>UnManagedDevice</c> for isolation, <c>Quick</c> or <c>Full</c> for a scan, else null.</summary>
    public string? Scope { get; set; }

    public string Requestor { get; set; } = "";

    /// <summary>Defender's own spelling.</summary>
    [JsonPropertyName("externalID")]
    public string? ExternalId { get; set; }

    public string? RequestSource { get; set; }

    public List<LiveResponseCommandResult> Commands { get; set; } = [];

    public string? CancellationRequestor { get; set; }

    public string RequestorComment { get; set; } = "";

    public string? CancellationComment { get; set; }

    /// <summary>One of <see cref="MachineActionStatuses"/>.</summary>
    public string Status { get; set; } = "";

    public string MachineId { get; set; } = "";

    public string ComputerDnsName { get; set; } = "";

    public DateTime CreationDateTimeUtc { get; set; }

    public DateTime? CancellationDateTimeUtc { get; set; }

    public DateTime LastUpdateDateTimeUtc { get; set; }

    public string? Title { get; set; }

    public RelatedFileInfo? RelatedFileInfo { get; set; }

    /// <summary>0 unless the action failed on the device.</summary>
    public int ErrorHResult { get; set; }
}

/// <summary>The file a file action (e.g. StopAndQuarantineFile) is about.</summary>
internal sealed class RelatedFileInfo
{
    public string FileIdentifier { get; set; } = "";

    /// <summary><c>Sha1</c>, <c>Sha256</c> or <c>Md5</c>.</summary>
    public string FileIdentifierType { get; set; } = "";
}

/// <summary>One command of a live response action and how far it got.</summary>
internal sealed class LiveResponseCommandResult
{
    public int Index { get; set; }

    public DateTime? StartTime { get; set; }

    public DateTime? EndTime { get; set; }

    /// <summary><c>Created</c>, <c>Completed</c> or <c>Failed</c>.</summary>
    public string CommandStatus { get; set; } = "Created";

    public List<string> Errors { get; set; } = [];

    public LiveResponseCommandBody Command { get; set; } = new();
}

internal sealed class LiveResponseCommandBody
{
    public string Type { get; set; } = "";

    public List<LiveResponseCommandParameter> Params { get; set; } = [];
}

internal sealed class LiveResponseCommandParameter
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

internal static class MachineActionTypes
{
    public const string Isolate = "Isolate";
    public const string Unisolate = "Unisolate";
    public const string LiveResponse = "LiveResponse";
    public const string RunAntiVirusScan = "RunAntiVirusScan";
    public const string RestrictCodeExecution = "RestrictCodeExecution";
    public const string UnrestrictCodeExecution = "UnrestrictCodeExecution";
    public const string CollectInvestigationPackage = "CollectInvestigationPackage";
    public const string Offboard = "Offboard";
    public const string StopAndQuarantineFile = "StopAndQuarantineFile";
}

internal static class MachineActionStatuses
{
    public const string Pending = "Pending";
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string TimeOut = "TimeOut";
    public const string Cancelled = "Cancelled";
}
