using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.OData.Edm;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// The plans of the queries <c>ToDefenderResult</c> has validated and run, per endpoint, model and query text (and the
/// <c>Prefer</c> header, which the library's paging reads): what EF Core's compiled-query cache is for the SQL, this is for
/// the OData parsing, validation and expression building. Bounded: when full it starts again empty, so a client sending
/// endless distinct queries costs at most the library path, never memory.
/// </summary>
internal sealed class ODataQueryPlanCache
{
    /// <summary>Distinct queries kept per application.</summary>
    internal const int Capacity = 1024;

    private readonly ConcurrentDictionary<Key, ODataQueryPlan> _plans = new();

    /// <summary>Plans kept now.</summary>
    public int Count => _plans.Count;

    public ODataQueryPlan? Find(Key key) => _plans.TryGetValue(key, out var plan) ? plan : null;

    public void Add(Key key, ODataQueryPlan plan)
    {
        if (_plans.Count >= Capacity)
        {
            _plans.Clear();
        }

        _plans[key] = plan;
    }

    /// <summary>The key of the request's query, or <see langword="null"/> outside an endpoint (nothing to tie a plan to).</summary>
    public static Key? KeyOf(HttpContext httpContext, IEdmModel model, Type sourceType)
    {
        var endpoint = httpContext.GetEndpoint();
        if (endpoint is null)
        {
            return null;
        }

        var request = httpContext.Request;
        var prefer = request.Headers.TryGetValue("Prefer", out var values) ? values.ToString() : null;
        return new Key(endpoint, model, sourceType, request.QueryString.Value ?? "", prefer);
    }

    /// <summary>Endpoint and model by reference, the query text and <c>Prefer</c> by value.</summary>
    internal readonly record struct Key(Endpoint Endpoint, IEdmModel Model, Type SourceType, string Query, string? Prefer);
}
