namespace Defender.SampleApi.Json;

/// <summary>
/// The OData collection shape Defender answers lists with (the OData package writes it for queries, with
/// <c>@odata.count</c> when asked; this type describes it and the import's answer).
/// </summary>
internal sealed class ODataCollection<T>
{
    public required IReadOnlyList<T> Value { get; init; }
}

/// <summary>One line of an import's answer, as Defender reports it.</summary>
internal sealed class ImportIndicatorResult
{
    public string? Id { get; init; }

    public required string Indicator { get; init; }

    public bool IsFailed { get; init; }

    public string? FailureReason { get; init; }
}

/// <summary>A single value the way OData wraps one (<c>{"value": …}</c>), e.g. a live response result's download link.</summary>
internal sealed class ODataValue<T>
{
    public required T Value { get; init; }
}

/// <summary>What a RunScript command's result link serves: the transcript Defender documents.</summary>
internal sealed class ScriptTranscript
{
    [System.Text.Json.Serialization.JsonPropertyName("script_name")]
    public required string ScriptName { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("exit_code")]
    public int ExitCode { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("script_output")]
    public required string ScriptOutput { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("script_errors")]
    public required string ScriptErrors { get; init; }
}
