using System.Runtime.ExceptionServices;
using System.Text;
using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>Decides what an exception becomes (mapping, abort, rethrow) and hands errors to the writer.</summary>
internal sealed class DefenderErrorHandler
{
    private readonly DefenderErrorWriter _writer;
    private readonly DefenderDiagnostics _diagnostics;
    private readonly ExceptionMapping[] _mappings;
    private readonly bool _handleStatusCodes;

    public DefenderErrorHandler(DefenderErrorWriter writer, DefenderDiagnostics diagnostics, IOptions<DefenderErrorOptions> options)
    {
        _writer = writer;
        _diagnostics = diagnostics;
        _mappings = [.. options.Value.Mappings];
        _handleStatusCodes = options.Value.HandleStatusCodes;
    }

    internal DefenderErrorWriter Writer => _writer;

    internal DefenderDiagnostics Diagnostics => _diagnostics;

    /// <summary>True when a finished response is an error status with no body that should get the envelope.</summary>
    internal bool NeedsStatusCodeBody(HttpContext context)
    {
        var response = context.Response;
        var status = response.StatusCode;
        return _handleStatusCodes
            && status >= 400 && status <= 599
            && !response.HasStarted
            && response.ContentLength is null or 0
            && string.IsNullOrEmpty(response.ContentType)
            && context.Features.Get<IStatusCodePagesFeature>() is not { Enabled: false }
            && context.GetEndpoint()?.Metadata.GetMetadata<ISkipStatusCodePagesMetadata>() is null
            // A client that went away mid-request (often mid-body) made the status; there is nobody to answer.
            && !IsClientGone(context);
    }

    private static readonly TimeSpan BareBadRequestGrace = TimeSpan.FromMilliseconds(50);

    internal Task WriteStatusCodeBodyAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;

        // UseAntiforgery() refused the request and the binder answered a bare 400 (request validation off): say why.
        if (status == StatusCodes.Status400BadRequest && context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return _writer.WriteAsync(context, AntiforgeryFailed, exception: null, statusOverride: status);
        }

        if (status == StatusCodes.Status400BadRequest && context.Request.ContentLength != 0)
        {
            return WriteBareBadRequestAsync(context);
        }

        return _writer.WriteAsync(context, _writer.ErrorForStatus(status), exception: null, statusOverride: status);
    }

    /// <summary>
    /// What a failed antiforgery check becomes, wherever it is found (the binder's exception, a bare 400 behind
    /// <c>UseAntiforgery()</c>, MVC's <c>[ValidateAntiForgeryToken]</c>): InvalidInput, whose template names the input.
    /// The token is missing or does not validate; which, and why, is in the log (the framework's exception).
    /// </summary>
    internal static DefenderError AntiforgeryFailed { get; } = DefenderError.InvalidInput("antiforgery token");

    /// <summary>
    /// A bare 400 on a request with a body is a client that went away mid-body, or a body Kestrel refused (its chunk framing):
    /// the minimal-API binder (RequestDelegateFactory, the generated delegates) catches the body read's <see cref="IOException"/>
    /// and <see cref="BadHttpRequestException"/> and sets the status without throwing, <c>ThrowOnBadRequest</c> or not, so no
    /// exception says which. Kestrel signals <see cref="HttpContext.RequestAborted"/> for a client that left on the thread pool,
    /// after the binder has answered: give it that moment — bounded, and only on this error path — before answering nobody.
    /// (Without it, ClientAbortTests' reset mid large JSON body failed 5 runs of 5: the gone client was answered, and
    /// Kestrel's drain logged an Error.)
    /// </summary>
    private async Task WriteBareBadRequestAsync(HttpContext context)
    {
        if (!IsClientGone(context) && context.RequestAborted.CanBeCanceled)
        {
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (context.RequestAborted.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), aborted))
            {
                await Task.WhenAny(aborted.Task, Task.Delay(BareBadRequestGrace)).ConfigureAwait(false);
            }
        }

        if (IsClientGone(context))
        {
            AbortForClient(context);
            return;
        }

        await _writer.WriteAsync(context, _writer.ErrorForStatus(StatusCodes.Status400BadRequest), exception: null, statusOverride: StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// Handles an exception from the rest of the pipeline; rethrows it, with its original stack, when it is not ours to
    /// answer. Its stack is captured only then (<see cref="ExceptionDispatchInfo.Throw(Exception)"/>): nothing rethrows it
    /// before, and an answered exception does not pay for the copy.
    /// </summary>
    internal async Task HandleExceptionAsync(HttpContext context, Exception exception)
    {
        if (IsClientAbort(context, exception))
        {
            AbortForClient(context);
            _diagnostics.Aborted(exception);
            return;
        }

        var decision = Classify(context, exception, out var error, out var statusOverride);
        if (decision == ExceptionMappingKind.Ignore)
        {
            ExceptionDispatchInfo.Throw(exception);
        }

        if (decision == ExceptionMappingKind.Rethrow)
        {
            _writer.ReportRethrow(context, exception);
            _diagnostics.Unhandled(context, exception);
            ExceptionDispatchInfo.Throw(exception);
        }

        if (context.Response.HasStarted)
        {
            _writer.ReportResponseStarted(context, error, exception);
            _diagnostics.Skipped(context, exception);
            return;
        }

        try
        {
            var feature = new ExceptionHandlerFeature
            {
                Error = exception,
                Path = context.Request.Path,
                Endpoint = context.GetEndpoint(),
                RouteValues = context.Request.RouteValues,
            };
            context.Features.Set<IExceptionHandlerFeature>(feature);
            context.Features.Set<IExceptionHandlerPathFeature>(feature);

            await _writer.WriteAsync(context, error, exception, statusOverride, clearResponse: true);
        }
#pragma warning disable CA1031 // Report the writer's failure, then surface the original exception, as aspnetcore does.
        catch (Exception writeException)
#pragma warning restore CA1031
        {
            _writer.ReportWriteFailed(writeException);
            _diagnostics.Unhandled(context, exception);
            ExceptionDispatchInfo.Throw(exception);
        }

        _diagnostics.Handled(context, exception);
    }

    /// <summary>Maps an exception to the error the client receives.</summary>
    internal ExceptionMappingKind Classify(HttpContext context, Exception exception, out DefenderError error, out int? statusOverride)
    {
        statusOverride = null;
        if (exception is DefenderException defenderException)
        {
            error = defenderException.Error;
            return ExceptionMappingKind.Map;
        }

        foreach (var mapping in _mappings)
        {
            if (!mapping.ExceptionType.IsInstanceOfType(exception))
            {
                continue;
            }

            if (mapping.Kind != ExceptionMappingKind.Map)
            {
                error = default;
                return mapping.Kind;
            }

            try
            {
                if (mapping.Map!(context, exception) is { } mapped)
                {
                    error = mapped;
                    return ExceptionMappingKind.Map;
                }
            }
#pragma warning disable CA1031 // An application's mapping that throws must still end in a 500 envelope.
            catch (Exception mappingException)
#pragma warning restore CA1031
            {
                _writer.ReportMappingFailed(mappingException, exception);
                error = DefenderError.InternalServerError();
                return ExceptionMappingKind.Map;
            }
        }

        if (exception is AntiforgeryValidationException || exception.InnerException is AntiforgeryValidationException)
        {
            // A form parameter behind UseAntiforgery(): the binder reports the failed check as a BadHttpRequestException.
            error = AntiforgeryFailed;
            return ExceptionMappingKind.Map;
        }

        if (exception is BadHttpRequestException badRequest)
        {
            // Kestrel and binding failures (413 too large, 400 malformed): the status is right, the text is not for clients.
            statusOverride = badRequest.StatusCode;
            error = _writer.ErrorForStatus(badRequest.StatusCode);
            return ExceptionMappingKind.Map;
        }

        if (exception is InvalidOperationException { InnerException: ArgumentException } && UnknownCharset(context.Request) is { } charset)
        {
            // The framework's JSON readers refuse a charset they cannot decode; that is the client's mistake, not a fault.
            statusOverride = StatusCodes.Status415UnsupportedMediaType;
            error = DefenderError.InvalidRequestBody(
                "The request body's charset " + EchoSanitizer.Sanitize(charset) + " is not supported; send UTF-8 JSON.");
            return ExceptionMappingKind.Map;
        }

        error = DefenderError.InternalServerError();
        return ExceptionMappingKind.Map;
    }

    private static string? UnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.Charset.HasValue)
        {
            return null;
        }

        var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset).ToString();
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }

    /// <summary>
    /// The client went away: the request was aborted, or the client reset the connection — which a body read reports
    /// before the server has noticed the connection is gone.
    /// </summary>
    internal static bool IsClientAbort(HttpContext context, Exception exception) =>
        exception is ConnectionResetException || exception.InnerException is ConnectionResetException
        || exception is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest, Message: UnexpectedEndOfRequestContent }
        || ((exception is OperationCanceledException or IOException) && context.RequestAborted.IsCancellationRequested);

    /// <summary>
    /// Records that the client is gone and aborts the request. Kestrel signals <see cref="HttpContext.RequestAborted"/> on the
    /// thread pool, later than a binder that swallowed the failed read sets its bare 400, so the mark is what is checked.
    /// </summary>
    internal static void MarkClientGone(HttpContext context)
    {
        if (context.Features.Get<ClientGoneFeature>() is null)
        {
            context.Features.Set(ClientGoneFeature.Instance);
            context.Abort();
        }
    }

    internal static bool IsClientGone(HttpContext context) =>
        context.RequestAborted.IsCancellationRequested || context.Features.Get<ClientGoneFeature>() is not null;

    private sealed class ClientGoneFeature
    {
        internal static readonly ClientGoneFeature Instance = new();
    }

    /// <summary>
    /// Kestrel's text (it has no public reason code) for a body that ended (FIN) before its Content-Length: the client
    /// stopped sending, and Kestrel has already closed the connection's output, so nobody can be answered.
    /// </summary>
    private const string UnexpectedEndOfRequestContent = "Unexpected end of request content.";

    /// <summary>
    /// Nothing is written for a client that is gone. Aborting the request tells the server so too; otherwise it would answer
    /// and drain a body the client never sends (a reset read leaves Kestrel's body reader mid-read, and its drain then
    /// logs an Error).
    /// </summary>
    internal void AbortForClient(HttpContext context)
    {
        _writer.ReportRequestAborted(context);
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }

        MarkClientGone(context);
    }
}
