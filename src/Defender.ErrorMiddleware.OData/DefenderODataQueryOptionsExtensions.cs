using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.OData.Query;

namespace Defender.ErrorMiddleware.OData;

/// <summary>Turns an <see cref="ODataQueryOptions{TEntity}"/> parameter into a Defender list response.</summary>
public static class DefenderODataQueryOptionsExtensions
{
    /// <summary>
    /// Answers the request with the entities of <paramref name="source"/> that the query selects, in Defender's list shape,
    /// or 400 ODataError when the query is bad, exceeds a limit of <see cref="DefenderODataOptions"/>, or cannot be run by the
    /// data source.
    /// </summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="query">The query options bound from the request.</param>
    /// <param name="source">The entities, e.g. a <c>DbSet&lt;T&gt;</c> (already restricted to what the caller may see).</param>
    /// <param name="context">
    /// The <c>@odata.context</c> URL to write (Defender's lists carry one): absolute, or relative to the request's base URL
    /// (<c>api/$metadata#Machines</c> on <c>https://host/</c> is <c>https://host/api/$metadata#Machines</c>);
    /// <see langword="null"/> leaves it out.
    /// </param>
    /// <returns>The result; return it from a minimal API handler or a controller action.</returns>
    [RequiresUnreferencedCode(ODataTrimming.Message)]
    [RequiresDynamicCode(ODataTrimming.Message)]
    public static DefenderODataResult<T> ToDefenderResult<T>(this ODataQueryOptions<T> query, IQueryable<T> source, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(source);
        return new DefenderODataResult<T>(query, source, context);
    }
}
