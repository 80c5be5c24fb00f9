namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// A <see cref="DelegatingHandler"/> that turns every error response (status 400–599) into a <see cref="DefenderApiException"/>,
/// whatever its body. Add it with <c>services.AddHttpClient&lt;T&gt;().AddHttpMessageHandler(() =&gt; new DefenderApiErrorHandler())</c>,
/// or wrap a handler: <c>new HttpClient(new DefenderApiErrorHandler(new HttpClientHandler()))</c>.
/// </summary>
public sealed class DefenderApiErrorHandler : DelegatingHandler
{
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
