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

    /// <summary><c>Full</c> (the default) or <c>Selective</c>.</summary>
    [JsonPropertyName("IsolationType")]
    public string? IsolationType { get; init; }
}

/// <summary>Body of <c>POST /api/machines/{id}/unisolate</c>.</summary>
internal sealed class UnisolateRequest
{
    [JsonPropertyName("Comment")]
    public required string Comment { get; init; }
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
internal sealed class IndicatorRequest
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
}

/// <summary>Body of <c>POST /api/indicators/import</c>.</summary>
internal sealed class ImportIndicatorsRequest
{
    /// <summary>At most 500 items; more is MaximumBatchSizeExceeded, checked by the library's attribute.</summary>
    [JsonPropertyName("Indicators")]
    [MaxBatchSize(IndicatorRules.MaximumImportBatchSize)]
    public required List<IndicatorRequest?> Indicators { get; init; }
}
