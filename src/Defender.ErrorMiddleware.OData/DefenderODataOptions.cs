namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Defender-like limits on the OData queries a request may send. A query beyond a limit is answered with 400 ODataError,
/// so a hostile query cannot exhaust the server. Configure it with <c>services.AddDefenderOData(o => …)</c>.
/// </summary>
/// <remarks>
/// The limits reach every usage: <see cref="DefenderODataResult{T}"/> and <c>ODataQueryOptions&lt;T&gt;</c> parameters of
/// controller actions are validated with them; <c>[EnableQuery]</c> attributes that leave a limit at the library's default
/// get this one; the query features of <c>ODataOptions</c> / <c>ODataMiniOptions</c> that the application left unset
/// (nothing enabled, no maximum <c>$top</c>) are enabled with <see cref="MaxTop"/>.
/// </remarks>
public sealed class DefenderODataOptions
{
    /// <summary>The largest <c>$top</c> accepted. Default: 10,000, as Microsoft 365 Defender.</summary>
    public int MaxTop { get; set; } = 10_000;

    /// <summary>
    /// How many entities <see cref="DefenderODataResult{T}"/> returns at most in one response; a longer result ends with
    /// <c>@odata.nextLink</c>. Default: 10,000, Defender's page size.
    /// </summary>
    public int PageSize { get; set; } = 10_000;

    /// <summary>
    /// How many bytes of JSON one <see cref="DefenderODataResult{T}"/> response may grow to: past it the page ends after the
    /// entity being written, with <c>@odata.nextLink</c> to the rest, so no stored data can make one read huge. A page holds at
    /// least one entity. Default: 4 MiB (4,194,304 bytes).
    /// </summary>
    public long MaxPageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most characters one system query option (<c>$filter</c>, <c>$orderby</c>, <c>$select</c>, …) may have. Default: 2,048.</summary>
    public int MaxOptionLength { get; set; } = 2_048;

    /// <summary>
    /// The most nodes (properties, literals, operators, function calls, selected and expanded items) one query may have in
    /// <c>$filter</c>, <c>$orderby</c>, <c>$compute</c> and <c>$select</c>/<c>$expand</c> (with their nested options) together:
    /// one budget, so no option is free to compute without bound. The library also holds a <c>$filter</c> alone to it, with its
    /// own message. Default: 100.
    /// </summary>
    public int MaxNodeCount { get; set; } = 100;

    /// <summary>The most keys an <c>$orderby</c> may have. Default: 5.</summary>
    public int MaxOrderByNodeCount { get; set; } = 5;

    /// <summary>How deeply <c>any</c>/<c>all</c> lambdas may nest (<c>machineTags/any(t: …)</c> is depth 1). Default: 2.</summary>
    public int MaxAnyAllExpressionDepth { get; set; } = 2;

    /// <summary>How deeply <c>$expand</c> may nest. Default: 2.</summary>
    public int MaxExpansionDepth { get; set; } = 2;

    /// <summary>
    /// How long the database may take to read one page and count <c>$count=true</c> (<see cref="DefenderODataResult{T}"/>,
    /// <c>[EnableQuery]</c>, OData routes, and a query an action returns to MVC): past it, the command is cancelled through EF Core
    /// (the request's <c>RequestAborted</c> linked with this timeout, so a client that leaves cancels it too) and the request is
    /// answered with 400 ODataError <c>The query did not finish within 10 seconds; narrow it with $filter or $top.</c>; a read
    /// that ends past it is answered so too. Measured with the application's <see cref="TimeProvider"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Default: 10 seconds.
    /// </summary>
    /// <remarks>
    /// The provider must cancel a running command when its token is cancelled: Npgsql and SQL Server do; Microsoft.Data.Sqlite
    /// does not (its <c>SqliteCommand.Cancel</c> does nothing), so with SQLite the answer comes when the statement ends unless the
    /// application interrupts it (docs/odata.md shows an interceptor that does).
    /// </remarks>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether <c>$apply</c> (aggregation and grouping) is accepted. Default: <see langword="false"/>: Defender documents no
    /// <c>$apply</c>, and one short grouping can make the database read and sort a whole table; it is answered with
    /// 400 ODataError <c>The $apply query option is not supported.</c>
    /// </summary>
    public bool AllowApply { get; set; }

    /// <summary>
    /// Whether <c>$compute</c> (computed properties, usable in <c>$filter</c>, <c>$orderby</c> and <c>$select</c>) is accepted.
    /// Default: <see langword="false"/>: Defender documents no <c>$compute</c>, and an expression computed and sorted for every
    /// row costs far more than the request; it is answered with 400 ODataError <c>The $compute query option is not supported.</c>
    /// When allowed, its nodes count towards <see cref="MaxNodeCount"/>.
    /// </summary>
    public bool AllowCompute { get; set; }

    /// <summary>
    /// Whether <c>$search</c> is accepted. Default: <see langword="false"/>: Defender documents no <c>$search</c>, and it does
    /// nothing unless the application registers a search binder; it is answered with 400 ODataError
    /// <c>The $search query option is not supported.</c>
    /// </summary>
    public bool AllowSearch { get; set; }
}
