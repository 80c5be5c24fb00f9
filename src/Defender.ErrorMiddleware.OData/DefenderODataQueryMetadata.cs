using Defender.ErrorMiddleware.Metadata;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Endpoint metadata on every operation that takes OData queries (<c>[EnableQuery]</c>, an <c>ODataQueryOptions&lt;T&gt;</c>
/// parameter, a <see cref="DefenderODataResult{T}"/>): the query options it accepts, their limits, and that it may answer
/// 400 ODataError. The OpenAPI packages read it through <see cref="IDefenderQueryParametersMetadata"/> and
/// <see cref="IProducesDefenderErrorMetadata"/>.
/// </summary>
public sealed class DefenderODataQueryMetadata : IProducesDefenderErrorMetadata, IDefenderQueryParametersMetadata
{
    private static readonly IReadOnlyList<string> ProducedCodes = [nameof(DefenderErrorCode.ODataError)];

    private static readonly IReadOnlyList<string> AllQueryOptions = ["$filter", "$orderby", "$top", "$skip", "$select", "$count", "$expand"];

    internal DefenderODataQueryMetadata(Type? entityType, int maxTop)
    {
        EntityType = entityType;
        MaxTop = maxTop;
        QueryParameters =
        [
            new("$filter", DefenderQueryParameterType.String, "Filters the items, e.g. healthStatus eq 'Active' and startswith(computerDnsName,'ws')."),
            new("$orderby", DefenderQueryParameterType.String, "Orders the items by one or more properties, each asc or desc, e.g. lastSeen desc."),
            new("$top", DefenderQueryParameterType.Integer, "Returns at most this many items.", 0, maxTop),
            new("$skip", DefenderQueryParameterType.Integer, "Skips this many items.", 0),
            new("$select", DefenderQueryParameterType.String, "Returns only these properties, comma-separated."),
            new("$count", DefenderQueryParameterType.Boolean, "Adds @odata.count, the number of items that match."),
            new("$expand", DefenderQueryParameterType.String, "Includes these related entities, comma-separated."),
        ];
    }

    /// <summary>The CLR type the queries apply to (the element type of the response's <c>value</c>), when it is known.</summary>
    public Type? EntityType { get; }

    /// <summary>The query options the endpoint accepts, as they are written in the URL (e.g. <c>$filter</c>).</summary>
    public IReadOnlyList<string> QueryOptions { get; } = AllQueryOptions;

    /// <summary>The largest <c>$top</c> accepted (<see cref="DefenderODataOptions.MaxTop"/> when the endpoint was built).</summary>
    public int MaxTop { get; }

    /// <summary>The query options as OpenAPI parameters, with their limits.</summary>
    public IReadOnlyList<DefenderQueryParameter> QueryParameters { get; }

    IReadOnlyList<string> IProducesDefenderErrorMetadata.Codes => ProducedCodes;

    bool IProducesDefenderErrorMetadata.Exclude => false;
}
