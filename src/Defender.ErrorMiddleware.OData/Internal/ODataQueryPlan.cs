using System.Linq.Expressions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// The LINQ the OData library built for one validated query on one endpoint (recorded by <see cref="ODataQueryCapture{T}"/>):
/// the page query built on a stand-in for the source and the count the library executed on it. Replaying it on a request's source is
/// what the library would build again from the same query text, without the parsing, validation and binding. Its
/// constants are the library's parameter containers, so EF Core sends them as parameters and finds its compiled query.
/// Immutable, shared by concurrent requests.
/// </summary>
internal sealed class ODataQueryPlan(ConstantExpression root, Expression page, ODataQueryPlan.PageReader readPage, Expression? count)
{
    /// <summary>Creates the query of the recorded element type on a provider (no reflection per request).</summary>
    public delegate IQueryable PageReader(IQueryProvider provider, Expression expression);

    /// <summary>The page's query on <paramref name="source"/>, to be read asynchronously.</summary>
    public IQueryable Page(IQueryable source) => readPage(source.Provider, Replace(page, root, source.Expression));

    /// <summary>Whether the library counted the entities (<c>$count=true</c>).</summary>
    public bool HasCount => count is not null;

    /// <summary>Runs the recorded count on <paramref name="source"/>, asynchronously with the token when its provider can.</summary>
    public Task<long> CountAsync(IQueryable source, CancellationToken cancellationToken) =>
        ODataPageReader.CountAsync(source.Provider, Replace(count ?? throw new InvalidOperationException("The plan has no count."), root, source.Expression), cancellationToken);

    public static PageReader Reader<TElement>() => static (provider, expression) => provider.CreateQuery<TElement>(expression);

    /// <summary>The expression with the stand-in <paramref name="root"/> replaced (only the spine above it is rebuilt).</summary>
    public static Expression Replace(Expression expression, ConstantExpression root, Expression source) =>
        new RootReplacer(root, source).Visit(expression)!;

    private sealed class RootReplacer(ConstantExpression root, Expression source) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node) => ReferenceEquals(node, root) ? source : base.Visit(node);
    }
}
