using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Container;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Builds the query of one page and reads it asynchronously, so the token reaches the database command (EF Core passes it to
/// the provider, which cancels the running statement); runs the count of <c>$count=true</c> the same way. The library's own
/// paging reads the page synchronously inside <c>ApplyTo</c> (<c>TruncatedCollection</c>), and its count synchronously
/// (<c>TotalCountFunc</c>), where no token can stop them; this orders the rows as it does.
/// </summary>
internal static class ODataPageReader
{
    // EF Core's IAsyncQueryProvider (what CountAsync calls), known by name: this package does not reference EF Core.
    private const string AsyncQueryProvider = "Microsoft.EntityFrameworkCore.Query.IAsyncQueryProvider";

    private static readonly ConcurrentDictionary<Type, Rows> RowsByType = new();
    private static readonly ConcurrentDictionary<Type, Func<IQueryProvider, Expression, CancellationToken, Task<long>>?> AsyncCounts = new();

    /// <summary>
    /// The query for at most <paramref name="take"/> items of <paramref name="source"/> with the query applied, in a stable
    /// order. Composed with typed operators only, so a recording stand-in (<see cref="ODataQueryCapture{T}"/>) keeps it.
    /// </summary>
    public static IQueryable Build(ODataQueryOptions query, IQueryable source, ODataQuerySettings settings, int take)
    {
        IQueryable applied;
        if (settings.EnsureStableOrdering && query.Top is null && query.Skip is null && query.Apply is null && query.GenerateStableOrder() is { } stableOrder)
        {
            // What the library does when it pages: the $orderby keys, then the entity key, so that pages follow one another
            // (with $top or $skip, below, it adds that order itself). A computed property sorted on is bound as it binds it.
            stableOrder.Compute ??= query.Compute;
            applied = query.ApplyTo(stableOrder.ApplyTo(source, settings), settings, AllowedQueryOptions.OrderBy);
        }
        else
        {
            applied = query.ApplyTo(source, settings);
        }

        return RowsOf(applied.ElementType).Take(applied, take);
    }

    /// <summary>Reads <paramref name="page"/>: with <c>await foreach</c> and the token when its provider reads asynchronously.</summary>
    public static Task<List<object?>> ReadAsync(IQueryable page, CancellationToken cancellationToken) =>
        RowsOf(page.ElementType).ReadAsync(page, cancellationToken);

    /// <summary>Items read by <see cref="ReadAsync"/> as a queryable of their element type, for a result MVC writes.</summary>
    public static IQueryable AsQueryable(Type elementType, List<object?> items) => RowsOf(elementType).AsQueryable(items);

    /// <summary>
    /// <paramref name="items"/> (read one beyond <paramref name="pageSize"/>) as the library's own page of that element type: a
    /// <see cref="TruncatedCollection{T}"/> of at most <paramref name="pageSize"/> items, as a queryable.
    /// </summary>
    public static IQueryable ToPage(Type elementType, List<object?> items, int pageSize, out bool truncated) =>
        RowsOf(elementType).ToPage(items, pageSize, out truncated);

    /// <summary>
    /// Runs a count query (<c>Queryable.LongCount</c> over a source): asynchronously with the token when the provider can (EF Core,
    /// as its <c>LongCountAsync</c> does), else synchronously (an in-memory source).
    /// </summary>
    public static Task<long> CountAsync(IQueryProvider provider, Expression count, CancellationToken cancellationToken)
    {
        if (AsyncCounts.GetOrAdd(provider.GetType(), FindAsyncCount) is { } countAsync)
        {
            return countAsync(provider, count, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(provider.Execute<long>(count));
    }

    /// <summary><c>(provider, expression, token) => ((IAsyncQueryProvider)provider).ExecuteAsync&lt;Task&lt;long&gt;&gt;(expression, token)</c>.</summary>
    private static Func<IQueryProvider, Expression, CancellationToken, Task<long>>? FindAsyncCount(Type providerType)
    {
        var asyncProvider = providerType.GetInterfaces().FirstOrDefault(static i => i.FullName == AsyncQueryProvider);
        var executeAsync = asyncProvider?.GetMethod("ExecuteAsync", 1, [typeof(Expression), typeof(CancellationToken)]);
        if (executeAsync is null)
        {
            return null;
        }

        var provider = Expression.Parameter(typeof(IQueryProvider), "provider");
        var expression = Expression.Parameter(typeof(Expression), "expression");
        var token = Expression.Parameter(typeof(CancellationToken), "token");
        var call = Expression.Call(Expression.Convert(provider, asyncProvider!), executeAsync.MakeGenericMethod(typeof(Task<long>)), expression, token);
        return Expression.Lambda<Func<IQueryProvider, Expression, CancellationToken, Task<long>>>(call, provider, expression, token).Compile();
    }

    private static Rows RowsOf(Type elementType) =>
        RowsByType.GetOrAdd(elementType, static type => (Rows)Activator.CreateInstance(typeof(Rows<>).MakeGenericType(type))!);

    /// <summary>The typed operations on a query of one element type, made once per type.</summary>
    private abstract class Rows
    {
        public abstract IQueryable Take(IQueryable query, int count);

        public abstract Task<List<object?>> ReadAsync(IQueryable page, CancellationToken cancellationToken);

        public abstract IQueryable ToPage(List<object?> items, int pageSize, out bool truncated);

        public abstract IQueryable AsQueryable(List<object?> items);
    }

    private sealed class Rows<TElement> : Rows
    {
        public override IQueryable Take(IQueryable query, int count) => ((IQueryable<TElement>)query).Take(count);

        public override async Task<List<object?>> ReadAsync(IQueryable page, CancellationToken cancellationToken)
        {
            var items = new List<object?>();
            if (page is IAsyncEnumerable<TElement> rows)
            {
                await foreach (var item in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    items.Add(item);
                }
            }
            else
            {
                // An in-memory source: nothing to cancel but between items.
                foreach (var item in (IEnumerable)page)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    items.Add(item);
                }
            }

            return items;
        }

        public override IQueryable AsQueryable(List<object?> items) => items.Cast<TElement>().ToList().AsQueryable();

        public override IQueryable ToPage(List<object?> items, int pageSize, out bool truncated)
        {
            var page = new TruncatedCollection<TElement>(items.Cast<TElement>(), pageSize);
            truncated = page.IsTruncated;
            return page.AsQueryable();
        }
    }
}
