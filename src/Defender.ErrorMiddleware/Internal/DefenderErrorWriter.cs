using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>
/// The one way out: every error — thrown, returned, found by a filter or a bodiless status — is resolved,
/// logged once and written here, so the body and the log line always share one target.
/// </summary>
internal sealed class DefenderErrorWriter
{
    internal const string ErrorCodeHeader = DefenderErrorHeaders.ErrorCode;
    internal const string JsonContentType = "application/json; charset=utf-8";
    internal const string MissingServicesMessage =
        "Unable to find the required services. Call 'builder.Services.AddDefenderErrors()' before 'app.UseDefenderErrors()' or returning DefenderResults.";

    // Relaxed escaping keeps quotes and non-ASCII readable; the body is served as JSON with nosniff, never as HTML.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private const int MaxRetainedBufferSize = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    private readonly ILogger _logger;
    private readonly LogLevel _clientErrorLevel;
    private readonly bool _logClientErrorExceptions;
    private readonly string[] _documentedDefaultMessages;
    private readonly FrozenDictionary<string, RegisteredErrorCode> _registeredCodes;
    private readonly FrozenDictionary<int, DefenderError> _statusCodeErrors;
    private readonly FrozenSet<string> _preservedHeaders;
    private readonly string[] _preservedHeaderPrefixes;
    private readonly bool _outputCacheRegistered;

    public DefenderErrorWriter(IOptions<DefenderErrorOptions> options, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        var value = options.Value;
        _logger = loggerFactory.CreateLogger(Log.CategoryName);
        _clientErrorLevel = value.ClientErrorLogLevel;
        _logClientErrorExceptions = value.LogClientErrorExceptions;

        var all = DefenderErrorCatalog.All;
        _documentedDefaultMessages = new string[all.Length];
        foreach (var descriptor in all)
        {
            _documentedDefaultMessages[(int)descriptor.Code] = value.GetDefaultMessage(descriptor.Code);
        }

        _registeredCodes = value.RegisteredCodes.ToFrozenDictionary(StringComparer.Ordinal);
        _statusCodeErrors = value.StatusCodeErrors.ToFrozenDictionary();
        _preservedHeaders = value.PreservedHeaders.Where(h => !h.EndsWith('*')).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _preservedHeaderPrefixes = [.. value.PreservedHeaders.Where(h => h.EndsWith('*')).Select(h => h.TrimEnd('*'))];

        // OutputCacheMiddleware cannot run without a store: with none registered no request carries its feature, and the
        // lookup of a missing feature is the slowest kind (the server's list, then the connection's). A container that
        // cannot tell keeps the lookup.
        _outputCacheRegistered = services.GetService<IServiceProviderIsService>()?.IsService(typeof(IOutputCacheStore)) ?? true;
    }

    /// <summary>Every code this application can answer with: the documented ones and those it registered.</summary>
    internal IEnumerable<RegisteredErrorCode> RegisteredCodes => _registeredCodes.Values;

    /// <summary>Resolves an error's status and message: its own message, else the option override, else the preset's.</summary>
    internal ResolvedError Resolve(in DefenderError error, int? statusOverride = null)
    {
        if (error.KnownCode is { } known)
        {
            var descriptor = DefenderErrorCatalog.Get(known);
            return new ResolvedError(statusOverride ?? descriptor.StatusCode, descriptor.Name,
                error.Message ?? _documentedDefaultMessages[(int)known]);
        }

        if (error.Code is not null && _registeredCodes.TryGetValue(error.Code, out var registered))
        {
            return new ResolvedError(statusOverride ?? registered.StatusCode, registered.Code, error.Message ?? registered.DefaultMessage);
        }

        SafeLog(LogLevel.Error, error.Code ?? "(none)", static (logger, code) => Log.UnknownCode(logger, code));
        return Resolve(DefenderError.InternalServerError());
    }

    /// <summary>The error a bodiless response of this status gets (the status itself is kept).</summary>
    internal DefenderError ErrorForStatus(int statusCode) => DefenderErrorOptions.ResolveStatus(_statusCodeErrors, statusCode);

    /// <summary>Logs the error once and writes the envelope. The response must not have started.</summary>
    /// <param name="context">The request.</param>
    /// <param name="error">What the client is told.</param>
    /// <param name="exception">The cause, for the log only.</param>
    /// <param name="statusOverride">The status to keep (bodiless responses), instead of the code's own.</param>
    /// <param name="clearResponse">Whether to clear a half-built response first, keeping the preserved headers.</param>
    internal Task WriteAsync(HttpContext context, in DefenderError error, Exception? exception, int? statusOverride = null, bool clearResponse = false)
    {
        var resolved = Resolve(error, statusOverride);
        var target = ErrorTargets.Next();
        LogError(context, resolved, target, exception);
        TagActivity(resolved.Code, target);

        var response = context.Response;
        if (clearResponse)
        {
            ClearResponse(response);
        }

        // An error is never stored by the output cache, whatever its policy says: each one has its own target and log line.
        // Turned off before the body starts, so the cache stops buffering it (the policies that run afterwards cannot store it).
        if (_outputCacheRegistered && context.Features.Get<IOutputCacheFeature>() is { } outputCache)
        {
            outputCache.Context.AllowCacheStorage = false;
        }

        response.StatusCode = resolved.StatusCode;
        var headers = response.Headers;

        // Validators of the response the error replaces must not make a cache or a client keep the error as that resource.
        headers.ETag = default;
        headers.LastModified = default;
        headers.Expires = default;

        // A status the cache replayed (a bodiless 404 stored by a policy) is answered afresh: it has no age.
        headers.Age = default;
        headers.ContentType = JsonContentType;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers[ErrorCodeHeader] = resolved.Code;

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        return WriteBodyAsync(response, resolved, target);
    }

    /// <summary>Reports an error that can no longer be written because the response has started, and aborts the connection.</summary>
    internal void ReportResponseStarted(HttpContext context, in DefenderError error, Exception exception)
    {
        var resolved = Resolve(error);
        var target = ErrorTargets.Next();
        SafeLog(LogLevel.Error, (context, resolved, target, exception), static (logger, s) =>
            Log.ResponseStarted(logger, s.exception, s.context.Request.Method, LoggedPath(s.context), s.resolved.StatusCode, s.resolved.Code, s.target, TraceId(s.context)));
        TagActivity(resolved.Code, target);

        // Appending an envelope to a half-sent body would look like a corrupt success; a reset tells the client it failed.
        context.Abort();
    }

    /// <summary>Logs an exception that is rethrown rather than answered, so it still has a target.</summary>
    internal void ReportRethrow(HttpContext context, Exception exception)
    {
        var target = ErrorTargets.Next();
        TagActivity(DefenderErrorCatalog.Name(DefenderErrorCode.InternalServerError), target);
        SafeLog(LogLevel.Error, (context, target, exception), static (logger, s) =>
            Log.Rethrowing(logger, s.exception, s.context.Request.Method, LoggedPath(s.context), s.target, TraceId(s.context)));
    }

    internal void ReportRequestAborted(HttpContext context) =>
        SafeLog(LogLevel.Debug, context, static (logger, context) =>
        {
            var path = LoggedPath(context);
            Log.RequestAborted(logger, context.Request.Method, path);
        });

    internal void ReportWriteFailed(Exception exception) =>
        SafeLog(LogLevel.Error, exception, static (logger, exception) => Log.WriteFailed(logger, exception));

    internal void ReportMappingFailed(Exception mappingException, Exception original) =>
        SafeLog(LogLevel.Error, (mappingException, original), static (logger, s) =>
        {
            var type = s.original.GetType();
            Log.MappingFailed(logger, s.mappingException, type.FullName ?? type.Name);
        });

    private void LogError(HttpContext context, in ResolvedError resolved, Guid target, Exception? exception)
    {
        if (resolved.StatusCode >= 500)
        {
            SafeLog(LogLevel.Error, (context, resolved, target, exception), static (logger, s) =>
                Log.ServerError(logger, s.exception, s.context.Request.Method, LoggedPath(s.context), s.resolved.StatusCode, s.resolved.Code,
                    EchoSanitizer.Sanitize(s.resolved.Message, EchoSanitizer.MaxLogLength), s.target, TraceId(s.context)));
        }
        else
        {
            SafeLog(_clientErrorLevel, (context, resolved, target, exception: _logClientErrorExceptions ? exception : null, level: _clientErrorLevel), static (logger, s) =>
            {
                var path = LoggedPath(s.context);
                var message = EchoSanitizer.Sanitize(s.resolved.Message, EchoSanitizer.MaxLogLength);
                var traceId = TraceId(s.context);
                Log.ClientError(logger, s.level, s.exception, s.context.Request.Method, path, s.resolved.StatusCode, s.resolved.Code, message, s.target, traceId);
            });
        }
    }

    /// <summary>
    /// The one guard around logging: the call runs only when the level is enabled, and a provider that throws is ignored,
    /// so logging can neither cost the client its answer nor replace the exception being reported.
    /// </summary>
    private void SafeLog<TState>(LogLevel level, TState state, Action<ILogger, TState> log)
    {
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        try
        {
            log(_logger, state);
        }
#pragma warning disable CA1031 // See the summary: this is the only place a logging failure is swallowed.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void TagActivity(string code, Guid target)
    {
        // A propagation-only activity (sampled out) records nothing: tags on it would be work for no reader.
        var activity = Activity.Current;
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("error.type", code);
        activity.SetTag("defender.error.code", code);
        activity.SetTag("defender.error.target", target.ToString());
    }

    private static string LoggedPath(HttpContext context)
    {
        var request = context.Request;
        var path = request.PathBase.HasValue ? (request.PathBase + request.Path).Value : request.Path.Value;
        return EchoSanitizer.Sanitize(path ?? "/", EchoSanitizer.MaxLogLength);
    }

    private static string TraceId(HttpContext context) =>
        Activity.Current is { } activity ? activity.TraceId.ToHexString() : context.TraceIdentifier;

    private void ClearResponse(HttpResponse response)
    {
        List<KeyValuePair<string, StringValues>>? kept = null;

        // Most errors are thrown before anything set a header: then there is no enumerator to allocate.
        if (response.Headers.Count != 0)
        {
            foreach (var header in response.Headers)
            {
                if (IsPreserved(header.Key))
                {
                    (kept ??= []).Add(header);
                }
            }
        }

        response.Clear();
        if (kept is not null)
        {
            foreach (var header in kept)
            {
                response.Headers[header.Key] = header.Value;
            }
        }
    }

    private bool IsPreserved(string name)
    {
        if (_preservedHeaders.Contains(name))
        {
            return true;
        }

        foreach (var prefix in _preservedHeaderPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static Task WriteBodyAsync(HttpResponse response, in ResolvedError resolved, Guid target)
    {
        if (!TryWriteUnescapedBody(response, resolved, target))
        {
            WriteSerializedBody(response, resolved, target);
        }

        var flush = response.BodyWriter.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    // The envelope around its three values, byte for byte as the serializer writes it (DefenderErrorEnvelope's contract).
    private static ReadOnlySpan<byte> CodeOpening => "{\"error\":{\"code\":\""u8;
    private static ReadOnlySpan<byte> MessageOpening => "\",\"message\":\""u8;
    private static ReadOnlySpan<byte> TargetOpening => "\",\"target\":\""u8;
    private static ReadOnlySpan<byte> Closing => "\"}}"u8;
    private const int TargetLength = 36;
    private const int MaxUnescapedBodyLength = 4096;

    /// <summary>
    /// Writes the envelope straight into the response when neither string has a character to escape, as almost every
    /// message is: the serializer's bytes without its writer, the envelope's objects and a copy, in 0.62× the time and with
    /// nothing allocated (docs/performance.md, "Second pass"). Anything to escape, or a body longer than one block, takes
    /// the serializer.
    /// </summary>
    internal static bool TryWriteUnescapedBody(HttpResponse response, in ResolvedError resolved, Guid target)
    {
        var (code, message) = (resolved.Code, resolved.Message);
        if (code.Length + message.Length > MaxUnescapedBodyLength / 3 || NeedsEscaping(code) || NeedsEscaping(message))
        {
            return false;
        }

        var length = CodeOpening.Length + Encoding.UTF8.GetByteCount(code) + MessageOpening.Length + Encoding.UTF8.GetByteCount(message)
            + TargetOpening.Length + TargetLength + Closing.Length;
        response.ContentLength = length;
        var body = response.BodyWriter;
        var span = body.GetSpan(length);

        CodeOpening.CopyTo(span);
        var at = CodeOpening.Length;
        at += Encoding.UTF8.GetBytes(code, span[at..]);
        MessageOpening.CopyTo(span[at..]);
        at += MessageOpening.Length;
        at += Encoding.UTF8.GetBytes(message, span[at..]);
        TargetOpening.CopyTo(span[at..]);
        at += TargetOpening.Length;
        target.TryFormat(span[at..], out var targetLength);
        at += targetLength;
        Closing.CopyTo(span[at..]);
        at += Closing.Length;

        Debug.Assert(at == length, "The envelope's length was computed from the same parts.");
        body.Advance(at);
        return true;
    }

    /// <summary>The serializer's own test: its encoder hands the same string back when there is nothing to escape.</summary>
    private static bool NeedsEscaping(string value) => !ReferenceEquals(WriterOptions.Encoder!.Encode(value), value);

    internal static void WriteSerializedBody(HttpResponse response, in ResolvedError resolved, Guid target)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var jsonWriter = t_jsonWriter;
        if (jsonWriter is null)
        {
            t_jsonWriter = jsonWriter = new Utf8JsonWriter(buffer, WriterOptions);
        }
        else
        {
            jsonWriter.Reset(buffer);
        }

        var envelope = new DefenderErrorEnvelope { Error = new DefenderErrorBody { Code = resolved.Code, Message = resolved.Message, Target = target } };
        JsonSerializer.Serialize(jsonWriter, envelope, DefenderErrorEnvelope.JsonTypeInfo);

        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        if (buffer.Capacity > MaxRetainedBufferSize)
        {
            // One huge message must not pin its buffer on this thread for good.
            t_buffer = null;
            t_jsonWriter = null;
        }
    }
}

internal readonly record struct ResolvedError(int StatusCode, string Code, string Message);
