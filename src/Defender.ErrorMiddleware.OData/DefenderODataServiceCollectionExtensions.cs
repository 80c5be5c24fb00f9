using System.Diagnostics.CodeAnalysis;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.OData;
using Microsoft.AspNetCore.OData.Edm;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Microsoft.OData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Gives Microsoft.AspNetCore.OData the Defender error contract and Defender's query limits.</summary>
public static class DefenderODataServiceCollectionExtensions
{
    /// <summary>
    /// Makes every usage of Microsoft.AspNetCore.OData answer a bad query with 400 ODataError
    /// <c>Invalid OData URI query: &lt;the library's reason&gt;</c> (no exception type, stack or inner error):
    /// <c>[EnableQuery]</c>, <c>ODataQueryOptions&lt;T&gt;</c> in controllers and minimal APIs, <c>AddODataQueryEndpointFilter()</c>,
    /// OData-routed controllers and the errors the OData formatter would write; a query the data source (EF Core) cannot run
    /// is ODataError too. Applies <see cref="DefenderODataOptions"/> as the limits, and documents the query options in OpenAPI.
    /// Call it with <c>AddDefenderErrors()</c>; calling it again only adds configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the limits; <see langword="null"/> keeps the defaults.</param>
    /// <returns>The same service collection.</returns>
    [RequiresUnreferencedCode(ODataTrimming.Message)]
    [RequiresDynamicCode(ODataTrimming.Message)]
    public static IServiceCollection AddDefenderOData(this IServiceCollection services, Action<DefenderODataOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (!services.Any(static d => d.ServiceType == typeof(DefenderODataMarker)))
        {
            services.AddSingleton<DefenderODataMarker>();
            services.AddOptions<DefenderODataOptions>();
            services.TryAddSingleton(TimeProvider.System); // the query time budget's clock and timer
            services.TryAddSingleton<ODataLimits>();
            services.TryAddSingleton<ODataQueryPlanCache>();
            services.Configure<DefenderErrorOptions>(static o =>
            {
                // Any ODataException; on OData requests also what EF Core or the library throw for a query (everything else declines).
                o.Map<ODataException>(static (context, exception) => ODataErrors.FromException(context, exception));
                o.Map<Exception>(static (context, exception) => ODataErrors.IsODataRequest(context) ? ODataErrors.Classify(context, exception) : null);
            });

            // The library's own options: Defender's query features and maximum $top where the application set none.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ODataOptions>, ODataDefaultsSetup>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ODataMiniOptions>, ODataDefaultsSetup>());

            // AddValidation(), before or after this call: the query options are validated by the library, not by attributes.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ValidationOptions>, ODataQueryValidationResolver.Setup>());
            services.TryAddSingleton<JsonNamedModelConfiguration>();
            services.TryAddSingleton<IODataModelConfiguration>(static sp => sp.GetRequiredService<JsonNamedModelConfiguration>());

            // MVC: one global filter, the application model (attribute limits, endpoint metadata), and ApiExplorer hygiene.
            services.TryAddSingleton<DefenderODataMvcFilter>();
            services.TryAddSingleton<EnableQueryPageFilter>();
            services.Configure<MvcOptions>(static o =>
            {
                o.Filters.AddService<DefenderODataMvcFilter>(DefenderODataMvcFilter.FilterOrder);
                o.Filters.AddService<EnableQueryPageFilter>(EnableQueryPageFilter.FilterOrder);
            });
            services.TryAddEnumerable(ServiceDescriptor.Transient<IApplicationModelProvider, DefenderODataApplicationModelProvider>());
            services.TryAddEnumerable(ServiceDescriptor.Transient<IApiDescriptionProvider, DefenderODataApiDescriptionProvider>());
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// The same as <see cref="AddDefenderOData(IServiceCollection, Action{DefenderODataOptions}?)"/>, chained after
    /// <c>AddControllers().AddOData(…)</c>.
    /// </summary>
    /// <param name="builder">The MVC builder.</param>
    /// <param name="configure">Configures the limits; <see langword="null"/> keeps the defaults.</param>
    /// <returns>The same builder.</returns>
    [RequiresUnreferencedCode(ODataTrimming.Message)]
    [RequiresDynamicCode(ODataTrimming.Message)]
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The overloads extend different builders, so no call can be ambiguous.")]
    public static IMvcBuilder AddDefenderOData(this IMvcBuilder builder, Action<DefenderODataOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDefenderOData(configure);
        return builder;
    }
}
