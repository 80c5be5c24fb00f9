using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Runs queries asynchronously when the provider can (EF Core's queryables are <see cref="IAsyncEnumerable{T}"/> and their
/// provider has <c>ExecuteAsync</c>), without referencing EF Core; synchronously otherwise (LINQ to objects).
/// </summary>
internal static class QueryRunner
{
    private static readonly MethodInfo LongCount = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.LongCount) && m.GetParameters().Length == 1);

    private static readonly ConcurrentDictionary<Type, MethodInfo?> ExecuteAsyncMethods = new();

    public static async Task<List<TElement>> ToListAsync<TElement>(IQueryable<TElement> query, CancellationToken cancellationToken)
    {
        var list = new List<TElement>();
        if (query is IAsyncEnumerable<TElement> asyncEnumerable)
        {
            await foreach (var item in asyncEnumerable.WithCancellation(cancellationToken))
            {
                list.Add(item);
            }
        }
        else
        {
            list.AddRange(query);
        }

        return list;
    }

    public static Task<long> LongCountAsync<TElement>(IQueryable<TElement> query, CancellationToken cancellationToken)
    {
        var expression = Expression.Call(LongCount.MakeGenericMethod(typeof(TElement)), query.Expression);
        var providerType = query.Provider.GetType();
        var executeAsync = ExecuteAsyncMethods.GetOrAdd(providerType, FindExecuteAsync);
        if (executeAsync is not null)
        {
            return (Task<long>)executeAsync.Invoke(query.Provider, [expression, cancellationToken])!;
        }

        return Task.FromResult(query.Provider.Execute<long>(expression));
    }

    /// <summary>EF Core's "The LINQ expression '…' could not be translated." (its query provider's only refusal).</summary>
    public static bool IsTranslationFailure(InvalidOperationException exception) =>
        exception.Message.Contains("could not be translated", StringComparison.Ordinal);

    // EF Core's IAsyncQueryProvider.ExecuteAsync<TResult>(Expression, CancellationToken), found by shape.
    private static MethodInfo? FindExecuteAsync(Type providerType) =>
        providerType.GetInterfaces()
            .Where(i => i.Name == "IAsyncQueryProvider")
            .Select(i => i.GetMethod("ExecuteAsync", 1, [typeof(Expression), typeof(CancellationToken)]))
            .FirstOrDefault(m => m is not null)
            ?.MakeGenericMethod(typeof(Task<long>));
}
