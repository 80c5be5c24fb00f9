using Defender.ErrorMiddleware.Metadata;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Endpoint metadata added by a <see cref="DefenderODataQuery{T}"/> parameter: the endpoint accepts OData query options
/// for <see cref="EntityType"/> and may answer 400 ODataError. OpenAPI generators read it to document the
/// <c>$filter</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$select</c> and <c>$count</c> query parameters.
/// </summary>
public sealed class DefenderODataQueryMetadata : IProducesDefenderErrorMetadata, IDefenderQueryParametersMetadata
{
    private static readonly IReadOnlyList<string> ProducedCodes = [nameof(DefenderErrorCode.ODataError)];

    internal static readonly IReadOnlyList<string> AllQueryOptions = ["$filter", "$orderby", "$top", "$skip", "$select", "$count"];

    internal DefenderODataQueryMetadata(Type entityType, int maxTop)
    {
        EntityType = entityType;
        MaxTop = maxTop;
    }

    /// <summary>The CLR type the query options apply to (the element type of the response's <c>value</c> array).</summary>
    public Type EntityType { get; }

    /// <summary>The query options the endpoint accepts, as they are written in the URL (e.g. <c>$filter</c>).</summary>
    public IReadOnlyList<string> QueryOptions { get; } = AllQueryOptions;

    /// <summary>The largest <c>$top</c> accepted (<see cref="DefenderODataOptions.MaxTop"/> when the endpoint was built).</summary>
    public int MaxTop { get; }

    IReadOnlyList<string> IProducesDefenderErrorMetadata.Codes => ProducedCodes;

    bool IProducesDefenderErrorMetadata.Exclude => false;

    IReadOnlyList<DefenderQueryParameter> IDefenderQueryParametersMetadata.QueryParameters =>
    [
        new("$filter", DefenderQueryParameterType.String, "Filters the items, e.g. riskScore eq 'High' and osPlatform eq 'Windows10'."),
        new("$orderby", DefenderQueryParameterType.String, "Orders the items by one or more properties, each asc or desc."),
        new("$top", DefenderQueryParameterType.Integer, "Returns at most this many items.", 0, MaxTop),
        new("$skip", DefenderQueryParameterType.Integer, "Skips this many items.", 0),
        new("$select", DefenderQueryParameterType.String, "Returns only these properties, comma-separated."),
        new("$count", DefenderQueryParameterType.Boolean, "Adds @odata.count, the number of items that match."),
    ];
}
