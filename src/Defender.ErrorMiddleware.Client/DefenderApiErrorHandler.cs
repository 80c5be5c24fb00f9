using System.Diagnostics;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// A <see cref="DelegatingHandler"/> that turns every error response (status 400–599) into a <see cref="DefenderApiException"/>,
/// whatever its body. With the HTTP client factory, add it with <c>AddDefenderApiErrors()</c>, which puts it outside any resilience
/// handler whatever the registration order; or wrap a handler: <c>new HttpClient(new DefenderApiErrorHandler(new HttpClientHandler()))</c>.
/// </summary>
public sealed class DefenderApiErrorHandler : DelegatingHandler
{
    /// <summary>When the request entered the outermost of these handlers (a <see cref="Stopwatch"/> timestamp): the start of its retry budget.</summary>
    internal static readonly HttpRequestOptionsKey<long> StartedKey = new("Defender.ErrorMiddleware.Client.Started");

    /// <summary>Creates the handler; the inner handler is set by the HTTP client factory.</summary>
    public DefenderApiErrorHandler()
    {
    }

    /// <summary>Creates the handler around an inner handler.</summary>
    /// <param name="innerHandler">The handler that sends the request.</param>
    public DefenderApiErrorHandler(HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Options.TryGetValue(StartedKey, out _))
        {
            request.Options.Set(StartedKey, Stopwatch.GetTimestamp());
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!DefenderApiErrorReader.IsError(response))
        {
            return response;
        }

        DefenderApiError? error;
        using (response)
        {
            error = await response.ReadDefenderErrorAsync(cancellationToken).ConfigureAwait(false);
        }

        throw new DefenderApiException(error!);
    }
}
