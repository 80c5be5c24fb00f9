using System.Collections;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.OData.Query;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Builds the query of one page and reads it asynchronously, so the token reaches the database command (EF Core passes it to
/// the provider, which cancels the running statement). The library's own paging reads the page synchronously inside
/// <c>ApplyTo</c> (<c>TruncatedCollection</c>), where no token can stop it; this orders the rows as it does.
/// </summary>
internal static class ODataPageReader
{
    private static readonly ConcurrentDictionary<Type, Rows> RowsByType = new();

    /// <summary>
    /// The query for at most <paramref name="take"/> items of <paramref name="source"/> with the query applied, in a stable
    /// order. Composed with typed operators only, so a recording stand-in (<see cref="ODataQueryCapture{T}"/>) keeps it.
    /// </summary>
    public static IQueryable Build(ODataQueryOptions query, IQueryable source, ODataQuerySettings settings, int take)
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

        return RowsOf(applied.ElementType).Take(applied, take);
    }

    /// <summary>Reads <paramref name="page"/>: with <c>await foreach</c> and the token when its provider reads asynchronously.</summary>
    public static Task<List<object?>> ReadAsync(IQueryable page, CancellationToken cancellationToken) =>
        RowsOf(page.ElementType).ReadAsync(page, cancellationToken);

    private static Rows RowsOf(Type elementType) =>
        RowsByType.GetOrAdd(elementType, static type => (Rows)Activator.CreateInstance(typeof(Rows<>).MakeGenericType(type))!);

    /// <summary>The typed operations on a query of one element type, made once per type.</summary>
    private abstract class Rows
    {
        public abstract IQueryable Take(IQueryable query, int count);

        public abstract Task<List<object?>> ReadAsync(IQueryable page, CancellationToken cancellationToken);
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
    }
}
