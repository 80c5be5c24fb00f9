using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OData query options with the Defender error contract.</summary>
public static class DefenderODataServiceCollectionExtensions
{
    /// <summary>
    /// Answers every <see cref="ODataException"/> thrown while handling a request (by <see cref="DefenderODataQuery{T}"/>,
    /// by the application's own use of the OData libraries, or by Microsoft.AspNetCore.OData) with
    /// 400 ODataError <c>Invalid OData URI query: &lt;the parser's reason&gt;</c>, and configures the query limits.
    /// Call it with <c>AddDefenderErrors()</c>; calling it again only adds configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the limits; <see langword="null"/> keeps the defaults.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddDefenderOData(this IServiceCollection services, Action<DefenderODataOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (!services.Any(static d => d.ServiceType == typeof(DefenderODataMarker)))
        {
            services.TryAddSingleton<DefenderODataMarker>();
            services.AddOptions<DefenderODataOptions>();
            services.Configure<DefenderErrorOptions>(static o => o.Map<ODataException>(ODataErrors.FromException));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }
}
