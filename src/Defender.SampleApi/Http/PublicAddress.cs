using Microsoft.AspNetCore.HostFiltering;

namespace Defender.SampleApi.Http;

/// <summary>
/// Where the links the sample writes point (<c>@odata.context</c>, <c>@odata.nextLink</c>, the live response download link, the
/// OpenAPI documents' <c>servers</c>): never at a client-chosen <c>Host</c> header. Either <c>SampleApi:PublicBaseUrl</c> is set,
/// and every request is seen as addressed to it, or the request's own host must be one of <c>AllowedHosts</c> (ASP.NET Core's
/// host filtering; appsettings.json allows localhost, 127.0.0.1 and [::1]).
/// </summary>
internal static class PublicAddress
{
    /// <summary>
    /// Moves ASP.NET Core's host filtering from before everything (where <see cref="WebApplication"/> puts it, answering a bare
    /// HTML 400) to inside the error middleware, so a refused host gets the envelope like any other bad request.
    /// </summary>
    /// <remarks>
    /// ASP.NET Core has no switch for this: <c>WebApplication.CreateBuilder</c> (and <c>CreateSlimBuilder</c>) register the internal
    /// <c>HostFilteringStartupFilter</c> unconditionally (WebHost.ConfigureWebDefaultsWorker), its options are the ones
    /// <c>UseHostFiltering()</c> reads, and only <c>CreateEmptyBuilder</c> leaves it out. So it is found by its name; if a framework
    /// version renamed it, a refused host would get the bare 400 again, and <c>HostHeaderTests</c> say so.
    /// </remarks>
    public static IServiceCollection AddPublicAddress(this IServiceCollection services)
    {
        var builtIn = services.FirstOrDefault(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "HostFilteringStartupFilter");
        if (builtIn is not null)
        {
            services.Remove(builtIn);
        }

        return services.Configure<HostFilteringOptions>(o => o.IncludeFailureMessage = false);
    }

    /// <summary>Refuses hosts outside <c>AllowedHosts</c>, then makes every request look addressed to <paramref name="publicBaseUrl"/>.</summary>
    public static void UsePublicAddress(this WebApplication app, string? publicBaseUrl)
    {
        app.UseHostFiltering();
        if (string.IsNullOrWhiteSpace(publicBaseUrl))
        {
            return;
        }

        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new InvalidOperationException(
                $"SampleApi:PublicBaseUrl '{publicBaseUrl}' is not an absolute http or https URL without query, fragment or user info.");
        }

        var scheme = uri.Scheme;
        var host = HostString.FromUriComponent(uri.Authority); // without the scheme's default port
        var pathBase = PathString.FromUriComponent(uri.AbsolutePath.TrimEnd('/'));
        app.Use((context, next) =>
        {
            context.Request.Scheme = scheme;
            context.Request.Host = host;
            context.Request.PathBase = pathBase.Add(context.Request.PathBase);
            return next(context);
        });
    }
}
