using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.Internal;
using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Defender error contract.</summary>
public static class DefenderErrorsServiceCollectionExtensions
{
    /// <summary>Adds the services behind <c>app.UseDefenderErrors()</c> and <see cref="DefenderResults"/>, with default options.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddDefenderErrors(this IServiceCollection services) =>
        services.AddDefenderErrors(static _ => { });

    /// <summary>Adds the services behind <c>app.UseDefenderErrors()</c> and <see cref="DefenderResults"/>. Calling it again only adds configuration.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="DefenderErrorOptions"/>.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddDefenderErrors(this IServiceCollection services, Action<DefenderErrorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.Configure(configure);
        services.TryAddSingleton<DefenderErrorWriter>();
        services.TryAddSingleton<DefenderDiagnostics>();
        services.TryAddSingleton<DefenderErrorHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, DefenderExceptionHandler>());
        services.TryAddSingleton<DefenderRouteHandlerResults>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, DefenderRouteHandlerResults>(static sp => sp.GetRequiredService<DefenderRouteHandlerResults>()));
        AddProblemDetailsChannel(services);
        AddRequestValidation(services);
        return services;
    }

    /// <summary>
    /// ASP.NET Core's <see cref="IProblemDetailsService"/> (so a plain <c>UseExceptionHandler()</c> and
    /// <c>UseStatusCodePages()</c> work) with our writer first among its writers, whatever was registered before or after:
    /// the service asks its writers in registration order and the first that can write wins.
    /// </summary>
    private static void AddProblemDetailsChannel(IServiceCollection services)
    {
        services.AddProblemDetails();
        if (!services.Any(static d => d.ServiceType == typeof(IProblemDetailsWriter) && d.ImplementationType == typeof(DefenderProblemDetailsWriter)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, DefenderProblemDetailsWriter>());
        }
    }

    /// <summary>
    /// Request-input checks (see docs/validation.md); each reads <see cref="DefenderErrorOptions.ValidateRequests"/>,
    /// <see cref="DefenderErrorOptions.CaseSensitiveRequestBodies"/> and <see cref="DefenderErrorOptions.RejectUnknownBodyMembers"/> when applied.
    /// </summary>
    private static void AddRequestValidation(IServiceCollection services)
    {
        services.TryAddScoped<DefenderValidationState>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DefenderErrorOptions>, RequestInputMappings>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.Extensions.Validation.ValidationOptions>, DefenderValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UnvalidatedEndpointsWarning>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>, RequestValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Routing.RouteHandlerOptions>, RequestValidationSetup>());

        // MVC: one setup class for the result filter, the validation filter and MVC's JSON and API-behaviour options.
        services.TryAddSingleton<DefenderMvcValidationFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Microsoft.AspNetCore.Mvc.MvcOptions>, DefenderMvcSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.JsonOptions>, DefenderMvcSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.ApiBehaviorOptions>, DefenderMvcSetup>());
    }
}
