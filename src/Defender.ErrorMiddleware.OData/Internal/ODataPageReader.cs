using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.OData.Query;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Applies a query and reads one page of it asynchronously, so the token reaches the database command (EF Core passes it to
/// the provider, which cancels the running statement). The library's own paging reads the page synchronously inside
/// <c>ApplyTo</c> (<c>TruncatedCollection</c>), where no token can stop it; this orders the rows as it does.
/// </summary>
internal static class ODataPageReader
{
    private static readonly ConcurrentDictionary<Type, Func<IQueryable, CancellationToken, Task<List<object?>>>> Readers = new();

    private static readonly MethodInfo TakeMethod = new Func<IQueryable<object>, int, IQueryable<object>>(Queryable.Take).Method.GetGenericMethodDefinition();

    /// <summary>At most <paramref name="take"/> items of <paramref name="source"/> with the query applied, in a stable order.</summary>
    public static Task<List<object?>> ReadAsync(ODataQueryOptions query, IQueryable source, ODataQuerySettings settings, int take, CancellationToken cancellationToken)
    {
        IQueryable applied;
        if (query.Top is null && query.Skip is null && query.Apply is null && query.GenerateStableOrder() is { } stableOrder)
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

        var page = applied.Provider.CreateQuery(Expression.Call(TakeMethod.MakeGenericMethod(applied.ElementType), applied.Expression, Expression.Constant(take)));
        return Readers.GetOrAdd(page.ElementType, static type => typeof(ODataPageReader)
            .GetMethod(nameof(ReadTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type)
            .CreateDelegate<Func<IQueryable, CancellationToken, Task<List<object?>>>>())(page, cancellationToken);
    }

    private static async Task<List<object?>> ReadTypedAsync<T>(IQueryable page, CancellationToken cancellationToken)
    {
        var items = new List<object?>();
        if (page is IAsyncEnumerable<T> rows)
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
}
