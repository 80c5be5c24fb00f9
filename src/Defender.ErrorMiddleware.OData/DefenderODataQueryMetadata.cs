namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Endpoint metadata added by a <see cref="DefenderODataQuery{T}"/> parameter: the endpoint accepts OData query options
/// for <see cref="EntityType"/> and may answer 400 ODataError. OpenAPI generators read it to document the
/// <c>$filter</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$select</c> and <c>$count</c> query parameters.
/// </summary>
public sealed class DefenderODataQueryMetadata
{
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
}
