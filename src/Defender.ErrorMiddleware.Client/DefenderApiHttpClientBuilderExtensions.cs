using Defender.ErrorMiddleware.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Defender error handling to clients made by the HTTP client factory.</summary>
public static class DefenderApiHttpClientBuilderExtensions
{
    /// <summary>
    /// Makes every error response of this client throw a <see cref="DefenderApiException"/>. The
    /// <see cref="DefenderApiErrorHandler"/> goes outside every other handler of the client, whether this is called before or after
    /// <c>AddStandardResilienceHandler()</c>: the resilience pipeline sees the responses themselves and retries only the transient
    /// ones (408, 429, 5xx) after their <c>Retry-After</c>, and the caller gets the exception once the pipeline is done.
    /// A second call adds nothing.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder AddDefenderApiErrors(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureAdditionalHttpMessageHandlers(static (handlers, _) =>
        {
            if (!handlers.Any(handler => handler is DefenderApiErrorHandler))
            {
                handlers.Insert(0, new DefenderApiErrorHandler());
            }
        });
        return builder;
    }
}
