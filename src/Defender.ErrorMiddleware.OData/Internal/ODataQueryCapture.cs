using System.Collections;
using System.Linq.Expressions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Records the LINQ the OData library builds for a query: the library applies the query to <see cref="Root"/> (a stand-in for
/// the source); the page query built on it is read on the source (<see cref="OnSource"/>, the stand-in replaced by the
/// source's expression), and the count the library executes on it runs on the source's provider. Both become an
/// <see cref="ODataQueryPlan"/>: the same expressions, replayed on a later request's source without parsing, validating or
/// binding the query again. Anything the recorder does not expect (an enumeration of the stand-in, a second count, an untyped
/// query) still runs on the source's provider, exactly as before, but makes the run unrecordable.
/// </summary>
internal sealed class ODataQueryCapture<T> : IQueryProvider
{
    private readonly IQueryable<T> _source;
    private readonly ConstantExpression _root;
    private Expression? _countExpression;
    private bool _recordingCount;
    private bool _unrecordable;

    public ODataQueryCapture(IQueryable<T> source)
    {
        _source = source;
        _root = Expression.Constant(new Query<T>(this, null), typeof(IQueryable<T>));
        Root = (IQueryable<T>)_root.Value!;
    }

    /// <summary>What the library applies the query to, in place of the source.</summary>
    public IQueryable<T> Root { get; }

    /// <summary><paramref name="page"/> (built on <see cref="Root"/>) on the source's provider; any other query as it is.</summary>
    public IQueryable OnSource(IQueryable page) =>
        page is StandIn standIn && standIn.Capture == this
            ? standIn.Reader(_source.Provider, ODataQueryPlan.Replace(page.Expression, _root, _source.Expression))
            : page;

    /// <summary>
    /// The plan of <paramref name="page"/> and of the count executed so far, or <see langword="null"/> when the page was not
    /// built on <see cref="Root"/> with typed operators, or the run did something else (see the class summary).
    /// </summary>
    public ODataQueryPlan? ToPlan(IQueryable page) =>
        !_unrecordable && page is StandIn standIn && standIn.Capture == this
            ? new ODataQueryPlan(_root, page.Expression, standIn.Reader, _countExpression)
            : null;

    /// <summary>
    /// The count the library's <paramref name="countFunc"/> (its <c>TotalCountFunc</c> for <c>$count=true</c>) would run, recorded
    /// instead of run, on the source's provider: to be run asynchronously with the query budget's token. <see langword="null"/>
    /// when the function counts something else (it is not the library's count on <see cref="Root"/>).
    /// </summary>
    public Expression? RecordCount(Func<long> countFunc)
    {
        ArgumentNullException.ThrowIfNull(countFunc);
        _recordingCount = true;
        try
        {
            countFunc();
        }
        finally
        {
            _recordingCount = false;
        }

        return _countExpression is null ? null : ODataQueryPlan.Replace(_countExpression, _root, _source.Expression);
    }

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
            if (_recordingCount)
            {
                return default!;
            }
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
        // The page is read on the source, asynchronously; an enumeration here is the library reading on its own.
        _unrecordable = true;
        return _source.Provider.CreateQuery<TElement>(ODataQueryPlan.Replace(expression, _root, _source.Expression)).GetEnumerator();
    }

    /// <summary>What <see cref="OnSource"/> and <see cref="ToPlan"/> need of a stand-in query of any element type.</summary>
    private abstract class StandIn(ODataQueryCapture<T> capture)
    {
        public ODataQueryCapture<T> Capture => capture;

        public abstract ODataQueryPlan.PageReader Reader { get; }
    }

    /// <summary>The stand-in queryable: composes through the recorder, runs on the source's provider.</summary>
    private sealed class Query<TElement>(ODataQueryCapture<T> capture, Expression? expression) : StandIn(capture), IOrderedQueryable<TElement>
    {
        public override ODataQueryPlan.PageReader Reader => ODataQueryPlan.Reader<TElement>();

        public Type ElementType => typeof(TElement);

        public Expression Expression => expression ?? Capture._root;

        public IQueryProvider Provider => Capture;

        public IEnumerator<TElement> GetEnumerator() => Capture.Enumerate<TElement>(Expression);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
