using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.Internal;
using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.TryAddSingleton<DefenderErrorMarker>();
        services.TryAddSingleton<DefenderErrorWriter>();
        services.TryAddSingleton<DefenderErrorHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, DefenderExceptionHandler>());
        AddRequestValidation(services);
        return services;
    }

    /// <summary>
    /// Request-input checks (see docs/validation.md); each reads <see cref="DefenderErrorOptions.ValidateRequests"/>,
    /// <see cref="DefenderErrorOptions.CaseSensitiveRequestBodies"/> and <see cref="DefenderErrorOptions.RejectUnknownBodyMembers"/> when applied.
    /// </summary>
    private static void AddRequestValidation(IServiceCollection services)
    {
        services.TryAddSingleton<RequestValidators>();
        services.TryAddSingleton<DefenderMvcValidationFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>, RequestValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.JsonOptions>, RequestValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Routing.RouteHandlerOptions>, RequestValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Microsoft.AspNetCore.Mvc.MvcOptions>, RequestValidationSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.ApiBehaviorOptions>, RequestValidationSetup>());
    }
}
