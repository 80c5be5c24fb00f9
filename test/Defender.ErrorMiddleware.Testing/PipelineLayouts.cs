using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Testing;

/// <summary>
/// The pipelines applications write around their endpoints, for every test project's layout matrix. This project does not
/// reference the core, so the app's <c>UseDefenderErrors()</c> is passed in.
/// </summary>
public static class PipelineLayouts
{
    public const string ImplicitRouting = "implicit-routing";
    public const string ExplicitRouting = "explicit-routing";
    public const string Authentication = "authentication";
    public const string ApiKey = "api-key";
    public const string ExceptionHandler = "exception-handler";

    /// <summary>The header the <see cref="ApiKey"/> layout's own middleware requires (401 without it, before any endpoint).</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    public static readonly string[] All = [ImplicitRouting, ExplicitRouting, Authentication, ApiKey, ExceptionHandler];

    public static void AddServices(string layout, IServiceCollection services)
    {
        if (layout == Authentication)
        {
            services.AddAuthentication("None").AddScheme<AuthenticationSchemeOptions, NoResultHandler>("None", _ => { });
            services.AddAuthorization();
        }
    }

    /// <param name="layout">One of <see cref="All"/>.</param>
    /// <param name="app">The application.</param>
    /// <param name="useDefenderErrors">The app's <c>app.UseDefenderErrors()</c>.</param>
    /// <param name="beforeRouting">Middleware of the app's own between <c>UseDefenderErrors()</c> and <c>UseRouting()</c> (explicit routing only).</param>
    public static void Use(string layout, WebApplication app, Action<IApplicationBuilder> useDefenderErrors, Action<WebApplication>? beforeRouting = null)
    {
        switch (layout)
        {
            case ImplicitRouting:
                useDefenderErrors(app);
                break;
            case ExplicitRouting:
                useDefenderErrors(app);
                beforeRouting?.Invoke(app);
                app.UseRouting();
                break;
            case Authentication:
                useDefenderErrors(app);
                app.UseRouting();
                app.UseAuthentication();
                app.UseAuthorization();
                break;
            case ApiKey:
                useDefenderErrors(app);
                app.Use((context, next) =>
                {
                    if (!context.Request.Headers.ContainsKey(ApiKeyHeader))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    return next(context);
                });
                break;
            case ExceptionHandler:
                // No UseDefenderErrors(): the framework's exception handler, with the handler AddDefenderErrors() registers.
                app.UseExceptionHandler();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");
        }
    }

    private sealed class NoResultHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
