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
