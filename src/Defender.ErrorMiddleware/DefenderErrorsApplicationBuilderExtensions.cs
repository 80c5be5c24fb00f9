using Defender.ErrorMiddleware.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the Defender error middleware to the pipeline.</summary>
public static class DefenderErrorsApplicationBuilderExtensions
{
    /// <summary>
    /// Answers every error of the requests that pass through with the Defender envelope: exceptions, bodiless error statuses
    /// and aborted responses. Place it first, before routing, authentication and the endpoints.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The same application builder.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddDefenderErrors()</c> was not called.</exception>
    public static IApplicationBuilder UseDefenderErrors(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var handler = app.ApplicationServices.GetService<DefenderErrorHandler>()
            ?? throw new InvalidOperationException(DefenderErrorWriter.MissingServicesMessage);
        if (app is Microsoft.AspNetCore.Routing.IEndpointRouteBuilder routes)
        {
            // Minimal-API string results: their endpoints get the envelope's filter once mapped (DefenderRouteHandlerResults).
            app.ApplicationServices.GetRequiredService<DefenderRouteHandlerResults>().AddRouteBuilder(routes);
        }

        return app.Use(next => new DefenderErrorMiddleware(next, handler).InvokeAsync);
    }
}
