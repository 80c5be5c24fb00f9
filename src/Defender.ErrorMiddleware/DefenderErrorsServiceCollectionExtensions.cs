using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        return services;
    }
}
