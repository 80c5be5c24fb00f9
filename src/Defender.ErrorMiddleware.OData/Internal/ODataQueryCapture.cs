using System.Collections;
using System.Linq.Expressions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Records the LINQ the OData library builds for a query while it runs against the real source: the library applies the
/// query to <see cref="Root"/> (a stand-in for the source), and whatever it then enumerates or executes is run by the
/// source's own provider with the stand-in replaced by the source's expression. What was run becomes an
/// <see cref="ODataQueryPlan"/>: the same expression, replayed on a later request's source without parsing, validating or
/// binding the query again. Anything the recorder does not expect (a second enumeration, an untyped query) still runs on
/// the source's provider, exactly as before, but makes the run unrecordable.
/// </summary>
internal sealed class ODataQueryCapture<T> : IQueryProvider
{
    private readonly IQueryable<T> _source;
    private readonly ConstantExpression _root;
    private ODataQueryPlan.PageReader? _page;
    private Expression? _pageExpression;
    private Expression? _countExpression;
    private bool _unrecordable;

    public ODataQueryCapture(IQueryable<T> source)
    {
        _source = source;
        _root = Expression.Constant(new Query<T>(this, null), typeof(IQueryable<T>));
        Root = (IQueryable<T>)_root.Value!;
    }

    /// <summary>What the library applies the query to, in place of the source.</summary>
    public IQueryable<T> Root { get; }

    /// <summary>The plan of what ran, or <see langword="null"/> when the run was not one enumeration (and at most one count).</summary>
    public ODataQueryPlan? ToPlan() =>
        _unrecordable || _page is null || _pageExpression is null ? null : new ODataQueryPlan(_root, _pageExpression, _page, _countExpression);

    IQueryable<TElement> IQueryProvider.CreateQuery<TElement>(Expression expression) => new Query<TElement>(this, expression);

    IQueryable IQueryProvider.CreateQuery(Expression expression)
    {
        // Untyped composition is not recorded: from here on the source's provider builds the query itself.
        _unrecordable = true;
        return _source.Provider.CreateQuery(ODataQueryPlan.Replace(expression, _root, _source.Expression));
    }

    TResult IQueryProvider.Execute<TResult>(Expression expression)
    {
        if (typeof(TResult) == typeof(long) && _countExpression is null)
        {
            _countExpression = expression;
        }
        else
        {
            _unrecordable = true;
        }

        return _source.Provider.Execute<TResult>(ODataQueryPlan.Replace(expression, _root, _source.Expression));
    }

    object? IQueryProvider.Execute(Expression expression)
    {
        _unrecordable = true;
        return _source.Provider.Execute(ODataQueryPlan.Replace(expression, _root, _source.Expression));
    }

    private IEnumerator<TElement> Enumerate<TElement>(Expression expression)
    {
        if (_pageExpression is null)
        {
            _pageExpression = expression;
            _page = ODataQueryPlan.Reader<TElement>();
        }
        else
        {
            _unrecordable = true;
        }

        return _source.Provider.CreateQuery<TElement>(ODataQueryPlan.Replace(expression, _root, _source.Expression)).GetEnumerator();
    }

    /// <summary>The stand-in queryable: composes through the recorder, runs on the source's provider.</summary>
    private sealed class Query<TElement>(ODataQueryCapture<T> capture, Expression? expression) : IOrderedQueryable<TElement>
    {
        public Type ElementType => typeof(TElement);

        public Expression Expression => expression ?? capture._root;

        public IQueryProvider Provider => capture;

        public IEnumerator<TElement> GetEnumerator() => capture.Enumerate<TElement>(Expression);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
