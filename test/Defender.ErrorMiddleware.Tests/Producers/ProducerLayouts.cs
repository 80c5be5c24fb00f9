using System.Security.Claims;
using System.Text.Encodings.Web;
using Defender.ErrorMiddleware.Tests.Framework;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// The pipelines users write, each a small app over Kestrel at 127.0.0.1: <c>UseDefenderErrors()</c> first, then implicit
/// routing, explicit <c>UseRouting()</c>, authentication and authorization, an app middleware of its own, or
/// <c>UseExceptionHandler()</c>. Every producer test runs in each of them.
/// </summary>
public static class ProducerLayouts
{
    public const string Implicit = nameof(Implicit);
    public const string ExplicitRouting = nameof(ExplicitRouting);
    public const string Authentication = nameof(Authentication);
    public const string AppMiddleware = nameof(AppMiddleware);
    public const string ExceptionHandler = nameof(ExceptionHandler);

    /// <summary>The header <see cref="AppMiddleware"/>'s own middleware adds, to show it ran.</summary>
    public const string AppMiddlewareHeader = "X-App-Middleware";

    public static IReadOnlyList<string> Names { get; } = [Implicit, ExplicitRouting, Authentication, AppMiddleware, ExceptionHandler];

    public static TheoryData<string> All() => [.. Names];

    /// <summary>
    /// Starts an app in <paramref name="layout"/>; <paramref name="middleware"/> (output cache, antiforgery, …) goes where the
    /// framework wants it, after routing and authentication, and <paramref name="endpoints"/> maps the app's endpoints.
    /// </summary>
    public static Task<FrameworkApp> StartAsync(
        string layout, Action<WebApplication> endpoints, Action<IServiceCollection>? services = null, Action<WebApplication>? middleware = null) =>
        FrameworkApp.StartAsync(
            s =>
            {
                s.AddDefenderErrors();
                if (layout == Authentication)
                {
                    s.AddAuthentication(HeaderAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthHandler>(HeaderAuthHandler.SchemeName, null);
                    // Every endpoint requires an authenticated user, so authorization runs (and passes) before each one.
                    s.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
                }

                services?.Invoke(s);
            },
            app =>
            {
                app.UseDefenderErrors();
                switch (layout)
                {
                    case ExplicitRouting:
                        app.UseRouting();
                        break;
                    case Authentication:
                        app.UseRouting();
                        app.UseAuthentication();
                        app.UseAuthorization();
                        break;
                    case AppMiddleware:
                        app.Use((context, next) =>
                        {
                            context.Response.Headers[AppMiddlewareHeader] = "ran";
                            return next(context);
                        });
                        break;
                    case ExceptionHandler:
                        app.UseExceptionHandler();
                        break;
                }

                middleware?.Invoke(app);
                endpoints(app);
            },
            kestrel: true);

    /// <summary>Checks the layout's own traces on an answered response (its app middleware ran).</summary>
    public static void AssertLayoutRan(string layout, HttpResponseMessage response)
    {
        if (layout == AppMiddleware)
        {
            Assert.Equal(["ran"], response.Headers.GetValues(AppMiddlewareHeader));
        }
    }

    /// <summary>Authenticates every request, so the fallback policy passes.</summary>
    private sealed class HeaderAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        internal const string SchemeName = "Header";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "reader")], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
