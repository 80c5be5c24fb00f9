namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Limits on the OData query options a request may send to a <see cref="DefenderODataQuery{T}"/> parameter.
/// A request beyond a limit is answered with 400 ODataError, so a hostile query cannot exhaust the server.
/// Configure it with <c>services.AddDefenderOData(o => …)</c>.
/// </summary>
public sealed class DefenderODataOptions
{
    /// <summary>
    /// The largest <c>$top</c> accepted, and the number of entities returned when the request sends no <c>$top</c>.
    /// Default: 10,000, as Microsoft 365 Defender.
    /// </summary>
    public int MaxTop { get; set; } = 10_000;

    /// <summary>The most characters a <c>$filter</c>, <c>$orderby</c> or <c>$select</c> value may have. Default: 2,048.</summary>
    public int MaxOptionLength { get; set; } = 2_048;

    /// <summary>
    /// The most nodes (properties, literals, operators, function calls) the parsed <c>$filter</c> and each <c>$orderby</c>
    /// expression may have. Default: 100.
    /// </summary>
    public int MaxNodeCount { get; set; } = 100;

    /// <summary>How deeply parentheses (groups and function calls) may nest in <c>$filter</c> and <c>$orderby</c>. Default: 10.</summary>
    public int MaxNestingDepth { get; set; } = 10;
}
