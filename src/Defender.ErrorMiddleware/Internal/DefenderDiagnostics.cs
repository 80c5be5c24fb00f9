using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// The signals ASP.NET Core's exception handler emits, emitted the same way when an exception is answered by
/// <c>UseDefenderErrors()</c>, so dashboards and APM agents built on the platform's instruments see these failures too:
/// the <c>aspnetcore.diagnostics.exceptions</c> counter (meter <c>Microsoft.AspNetCore.Diagnostics</c>), <c>error.type</c>
/// on <c>http.server.request.duration</c> (through <see cref="IHttpMetricsTagsFeature"/>) and the DiagnosticListener events.
/// Names and tags are ASP.NET Core's (ExceptionHandlerMiddlewareImpl, DiagnosticsMetrics).
/// </summary>
internal sealed class DefenderDiagnostics
{
    internal const string MeterName = "Microsoft.AspNetCore.Diagnostics";
    internal const string ExceptionsCounterName = "aspnetcore.diagnostics.exceptions";
    internal const string HandledExceptionEvent = "Microsoft.AspNetCore.Diagnostics.HandledException";
    internal const string UnhandledExceptionEvent = "Microsoft.AspNetCore.Diagnostics.UnhandledException";

    /// <summary>The handler tag: the same in both pipelines (ASP.NET Core reports an <c>IExceptionHandler</c> by its type name).</summary>
    internal static readonly string HandlerType = typeof(DefenderExceptionHandler).FullName!;

    private readonly Counter<long>? _exceptions;
    private readonly DiagnosticListener? _listener;

    public DefenderDiagnostics(IMeterFactory? meterFactory = null, DiagnosticListener? listener = null)
    {
        // The factory hands out the meter ASP.NET Core's own middleware uses, so both report into one instrument.
        _exceptions = meterFactory?.Create(MeterName)
            .CreateCounter<long>(ExceptionsCounterName, "{exception}", "Number of exceptions caught by exception handling middleware.");
        _listener = listener;
    }

    /// <summary>An exception answered with the envelope by the middleware.</summary>
    internal void Handled(HttpContext context, Exception exception)
    {
        Report(context, exception, HandledExceptionEvent);
        Count(exception, "handled", HandlerType);
    }

    /// <summary>An exception answered by our <c>IExceptionHandler</c>: ASP.NET Core's middleware counts it itself.</summary>
    internal void HandledByExceptionHandler(HttpContext context, Exception exception) => Report(context, exception, HandledExceptionEvent);

    /// <summary>The response had started, so the connection was aborted instead: nobody else will report the exception.</summary>
    internal void Skipped(HttpContext context, Exception exception)
    {
        Report(context, exception, UnhandledExceptionEvent);
        Count(exception, "skipped", handler: null);
    }

    /// <summary>The client went away; nothing was answered.</summary>
    internal void Aborted(Exception exception) => Count(exception, "aborted", handler: null);

    /// <summary>The exception leaves the middleware (configured to be rethrown, or the error could not be written).</summary>
    internal void Unhandled(HttpContext context, Exception exception)
    {
        TagRequest(context, exception);
        Count(exception, "unhandled", handler: null);
    }

    private void Report(HttpContext context, Exception exception, string eventName)
    {
        TagRequest(context, exception);
        if (_listener is { } listener && listener.IsEnabled() && listener.IsEnabled(eventName))
        {
            Write(listener, eventName, new { httpContext = context, exception });
        }
    }

    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2026",
        Justification = "The payload's public properties are preserved by the generic parameter's annotation, as ASP.NET Core does for these events.")]
    private static void Write<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TValue>(
        DiagnosticSource source, string name, TValue value) => source.Write(name, value);

    private static void TagRequest(HttpContext context, Exception exception)
    {
        if (context.Features.Get<IHttpMetricsTagsFeature>() is not { } feature)
        {
            return;
        }

        // As ASP.NET Core's TryAddTag: an error.type set earlier (by the application) wins.
        foreach (var tag in feature.Tags)
        {
            if (tag.Key == "error.type")
            {
                return;
            }
        }

        feature.Tags.Add(new KeyValuePair<string, object?>("error.type", exception.GetType().FullName));
    }

    private void Count(Exception exception, string result, string? handler)
    {
        if (_exceptions is not { Enabled: true } counter)
        {
            return;
        }

        var tags = new TagList
        {
            { "error.type", exception.GetType().FullName },
            { "aspnetcore.diagnostics.exception.result", result },
        };
        if (handler is not null)
        {
            tags.Add("aspnetcore.diagnostics.handler.type", handler);
        }

        counter.Add(1, in tags);
    }
}
