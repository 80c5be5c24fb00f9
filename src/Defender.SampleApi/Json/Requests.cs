using System.Text.Json.Serialization;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Endpoints;

namespace Defender.SampleApi.Json;

// Request bodies use Defender's own member names (PascalCase for machine actions, camelCase for indicators). The library binds
// them case-sensitively: a missing or wrong-case `required` member is MissingRequiredParameter ("Found 'comment': body
// parameters are case-sensitive."), malformed JSON or a wrong JSON type is InvalidRequestBody with the JSON path.

/// <summary>Body of <c>POST /api/machines/{id}/isolate</c>.</summary>
internal sealed class IsolateRequest
{
    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }

    /// <summary><c>Full</c> (the default), <c>Selective</c> or <c>UnManagedDevice</c>.</summary>
    [JsonPropertyName("IsolationType")]
    public string? IsolationType { get; init; }
}

/// <summary>Body of <c>POST /api/machines/{id}/unisolate</c> (its own schema name, which generated clients already use).</summary>
internal sealed class UnisolateRequest
{
    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }
}

/// <summary>
/// Body of the actions that take only a comment: <c>restrictCodeExecution</c>, <c>unrestrictCodeExecution</c>,
/// <c>collectInvestigationPackage</c> and <c>offboard</c>.
/// </summary>
internal sealed class CommentRequest
{
    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }
}

/// <summary>Body of <c>POST /api/machines/{id}/runAntiVirusScan</c>.</summary>
internal sealed class AntivirusScanRequest
{
    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }

    /// <summary><c>Quick</c> or <c>Full</c>.</summary>
    [JsonPropertyName("ScanType")]
    public required string ScanType { get; init; }
}

/// <summary>Body of <c>POST /api/machineactions/{id}/cancel</c>; Defender documents the comment without marking it required.</summary>
internal sealed class CancelRequest
{
    [JsonPropertyName("Comment")]
    public string? Comment { get; init; }
}

/// <summary>Body of <c>POST /api/machines/{id}/runliveresponse</c>.</summary>
internal sealed class LiveResponseRequest
{
    [JsonPropertyName("Commands")]
    public required List<LiveResponseCommand> Commands { get; init; }

    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }
}

internal sealed class LiveResponseCommand
{
    /// <summary><c>PutFile</c>, <c>RunScript</c> or <c>GetFile</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("params")]
    public List<LiveResponseParameter>? Params { get; init; }
}

internal sealed class LiveResponseParameter
{
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("value")]
    public string? Value { get; init; }
}

/// <summary>
/// Body of <c>POST /api/indicators</c> and one item of an import. Its members are checked in code (<c>IndicatorRules</c>),
/// not as <c>required</c>: in an import one bad item must fail alone, not the whole batch.
/// </summary>
public sealed class IndicatorRequest
{
    [JsonPropertyName("indicatorValue")]
    public string? IndicatorValue { get; init; }

    /// <summary><c>FileSha1</c>, <c>FileSha256</c>, <c>FileMd5</c>, <c>CertificateThumbprint</c>, <c>IpAddress</c>, <c>DomainName</c> or <c>Url</c>.</summary>
    [JsonPropertyName("indicatorType")]
    public string? IndicatorType { get; init; }

    /// <summary><c>Warn</c>, <c>Block</c>, <c>Audit</c>, <c>Alert</c>, <c>AlertAndBlock</c>, <c>BlockAndRemediate</c> or <c>Allowed</c>.</summary>
    [JsonPropertyName("action")]
    public string? Action { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary><c>Informational</c> (the default), <c>Low</c>, <c>Medium</c> or <c>High</c>.</summary>
    [JsonPropertyName("severity")]
    public string? Severity { get; init; }

    /// <summary>Only applies to a new indicator; an update keeps the stored one (as Defender does).</summary>
    [JsonPropertyName("application")]
    public string? Application { get; init; }

    [JsonPropertyName("expirationTime")]
    public DateTimeOffset? ExpirationTime { get; init; }

    [JsonPropertyName("recommendedActions")]
    public string? RecommendedActions { get; init; }

    /// <summary>Defender's table says "comma-separated", its examples send an array: the sample takes the array.</summary>
    [JsonPropertyName("rbacGroupNames")]
    public List<string?>? RbacGroupNames { get; init; }

    [JsonPropertyName("generateAlert")]
    public bool? GenerateAlert { get; init; }
}

/// <summary>Body of <c>POST /api/indicators/import</c>.</summary>
// Public (and so IndicatorRequest, its items): AddValidation()'s source generator skips internal types, so [MaxBatchSize] went unchecked.
public sealed class ImportIndicatorsRequest
{
    /// <summary>At most 500 items; more is MaximumBatchSizeExceeded, checked by the library's attribute.</summary>
    [JsonPropertyName("Indicators")]
    [MaxBatchSize(IndicatorRules.MaximumImportBatchSize)]
    public required List<IndicatorRequest?> Indicators { get; init; }
}
