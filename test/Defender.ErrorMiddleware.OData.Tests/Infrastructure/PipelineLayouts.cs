using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.OData.Tests.Infrastructure;

/// <summary>The pipelines applications write around their endpoints, as the core's own layout tests build them.</summary>
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

    public static void Use(string layout, WebApplication app)
    {
        switch (layout)
        {
            case ImplicitRouting:
                app.UseDefenderErrors();
                break;
            case ExplicitRouting:
                app.UseDefenderErrors();
                app.UseRouting();
                break;
            case Authentication:
                app.UseDefenderErrors();
                app.UseRouting();
                app.UseAuthentication();
                app.UseAuthorization();
                break;
            case ApiKey:
                app.UseDefenderErrors();
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
