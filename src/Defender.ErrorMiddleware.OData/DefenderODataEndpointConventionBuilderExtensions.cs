using Defender.ErrorMiddleware.OData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Documents OData query options on minimal API endpoints whose signature does not show them.</summary>
public static class DefenderODataEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="DefenderODataQueryMetadata"/> to the endpoint, so the OpenAPI documents list <c>$filter</c>, <c>$top</c>…
    /// and the 400 ODataError response. Needed only where nothing in the handler's signature says it takes OData queries:
    /// a handler behind <c>AddODataQueryEndpointFilter()</c> that returns the entities; an <c>ODataQueryOptions&lt;T&gt;</c>
    /// parameter or a <see cref="DefenderODataResult{T}"/> return type adds it by itself.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint(s).</param>
    /// <param name="entityType">The entity type the queries apply to, if it is to be recorded.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder WithDefenderODataQuery<TBuilder>(this TBuilder builder, Type? entityType = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            var maxTop = endpoint.ApplicationServices.GetService<IOptions<DefenderODataOptions>>()?.Value.MaxTop ?? new DefenderODataOptions().MaxTop;
            endpoint.Metadata.Add(new DefenderODataQueryMetadata(entityType, maxTop));
        });
        return builder;
    }
}
