using System.Diagnostics;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace Defender.ErrorMiddleware.Client;

/// <summary>
/// What a resilience pipeline needs to retry a Defender-style API well: a <c>ShouldHandle</c> predicate that retries transient
/// failures only (408, 429, 5xx, network failures, attempt timeouts — never another 4xx, whether it arrives as a response or as a
/// <see cref="DefenderApiException"/>), and a <c>DelayGenerator</c> that waits what <c>Retry-After</c> says.
/// <see cref="UseDefenderApiRetries"/> puts both into the standard resilience handler's options, and stops retrying when
/// <c>Retry-After</c> asks for more time than the total request timeout has left.
/// </summary>
public static class DefenderApiRetry
{
    /// <summary>Whether the outcome may succeed if the request is sent again (see <see cref="DefenderApiError.IsRetryable"/>).</summary>
    /// <param name="outcome">The response or exception an attempt ended with.</param>
    /// <returns><see langword="true"/> for 408, 429, 5xx, a network failure or an attempt timeout; never for a cancellation.</returns>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is DefenderApiException exception
            ? exception.IsRetryable
            : HttpClientResiliencePredicates.IsTransient(outcome);

    /// <summary>A retry <c>ShouldHandle</c> predicate: <see cref="IsTransient"/>.</summary>
    /// <param name="args">Polly's arguments.</param>
    /// <returns>Whether to retry.</returns>
    public static ValueTask<bool> ShouldHandle(RetryPredicateArguments<HttpResponseMessage> args) =>
        new(IsTransient(args.Outcome));

    /// <summary>
    /// A retry <c>DelayGenerator</c>: the <c>Retry-After</c> of the response or of the <see cref="DefenderApiException"/>, or
    /// <see langword="null"/> (the strategy's own backoff) when there is none.
    /// </summary>
    /// <param name="args">Polly's arguments.</param>
    /// <returns>The delay, or <see langword="null"/>.</returns>
    public static ValueTask<TimeSpan?> DelayGenerator(RetryDelayGeneratorArguments<HttpResponseMessage> args) =>
        new(RetryAfter(args.Outcome));

    /// <summary>
    /// Configures the standard resilience handler for a Defender-style API: its retry and circuit breaker judge outcomes with
    /// <see cref="IsTransient"/> (so they work whether the <see cref="DefenderApiErrorHandler"/> is outside or inside them), the
    /// retry waits <c>Retry-After</c>, and a <c>Retry-After</c> longer than what is left of <see cref="HttpStandardResilienceOptions.TotalRequestTimeout"/>
    /// is not retried at all: the caller gets the <see cref="DefenderApiException"/> (status, code, target) at once instead of
    /// the pipeline's timeout later.
    /// </summary>
    /// <param name="options">The options, e.g. in <c>AddStandardResilienceHandler(o =&gt; o.UseDefenderApiRetries())</c>.</param>
    /// <returns>The same options.</returns>
    public static HttpStandardResilienceOptions UseDefenderApiRetries(this HttpStandardResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Read when the outcome arrives, so a timeout configured after this call (or bound from configuration) still counts.
        options.Retry.ShouldHandle = args => new(
            IsTransient(args.Outcome)
            && FitsBudget(args.Outcome, args.Context, options.TotalRequestTimeout.Timeout));
        options.Retry.DelayGenerator = DelayGenerator;
        options.CircuitBreaker.ShouldHandle = args => new(IsTransient(args.Outcome));
        return options;
    }

    private static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is DefenderApiException exception ? exception.RetryAfter
        : outcome.Result is { } response ? DefenderApiErrorReader.RetryAfter(response).Delta
        : null;

    private static bool FitsBudget(Outcome<HttpResponseMessage> outcome, ResilienceContext context, TimeSpan totalTimeout)
    {
        if (RetryAfter(outcome) is not { } wait)
        {
            return true;
        }

        // The start the outermost DefenderApiErrorHandler noted; without one, the whole budget is assumed left.
        var request = context.GetRequestMessage() ?? outcome.Result?.RequestMessage;
        var elapsed = request is not null && request.Options.TryGetValue(DefenderApiErrorHandler.StartedKey, out var started)
            ? Stopwatch.GetElapsedTime(started)
            : TimeSpan.Zero;
        return wait < totalTimeout - elapsed;
    }
}
