using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// The one place a JSON request body is judged before the endpoint binds it: malformed JSON, invalid UTF-8, nesting beyond
/// the serializer's limit (<see cref="JsonSyntaxValidator"/>), then the body type's contract — missing, null or wrong-case
/// required members and, in strict mode, unknown ones (<see cref="BodyContract"/>, <see cref="BodyScanner"/>). Called by
/// the middleware only, for minimal APIs and MVC alike; nothing is added to the application's JSON options, so its own
/// (de)serialization and the OpenAPI schema exporters see the plain contract.
/// </summary>
/// <remarks>
/// Three moments, one answer. <b>Before the endpoint</b>, without an exception, where it is cheap and changes nothing else:
/// a known Content-Length up to <see cref="MaxBodyLength"/> (well below Kestrel's 1 MB request buffer, so the whole body
/// is buffered without consuming it) and no authorization, rate-limiting or size-limit metadata (those must keep answering
/// first). <b>As soon as authorization has answered</b>, for an endpoint behind authorization only, by the authorization
/// result handler (<see cref="DefenderAuthorizationResultHandler"/>), again without an exception. <b>On the binder's first
/// read</b> of the body otherwise, when the body type has a contract to check (chunked or larger bodies, rate limiting, an
/// application's own authorization result handler): the body is read whole into a pooled buffer — the serializer would
/// buffer such a value whole anyway — judged, and either served to the binder unchanged or refused with one
/// <see cref="DefenderException"/>, which neither minimal APIs nor MVC's input formatter catch. Both need a JSON content
/// type in UTF-8, no Content-Encoding, and an endpoint that reads a JSON body with System.Text.Json under the strict
/// defaults (no comments, no trailing commas). Everything else is left to the framework, whose exceptions the handler maps.
/// </remarks>
internal sealed class JsonBodyInspector
{
    /// <summary>The largest body checked before the endpoint; larger ones are judged on the binder's read.</summary>
    internal const int MaxBodyLength = 256 * 1024;

    private static readonly EndpointPlan Skip = new(0, null, false, false, false, false);

    private readonly IServiceProvider _services;
    private readonly ConditionalWeakTable<Endpoint, EndpointPlan> _plans = [];
    private Settings? _settings;

    public JsonBodyInspector(IServiceProvider services) => _services = services;

    /// <summary>Set by <c>UseDefenderErrors()</c>: only then does the authorization result handler judge bodies.</summary>
    internal bool InPipeline { get; set; }

    /// <summary>
    /// Starts inspecting this request's body: the plan when it is to be checked now (then <see cref="CheckAsync"/>), or
    /// <see langword="null"/> — after arranging for it to be checked later (by the authorization result handler, or on the
    /// binder's first read), when that applies, so the middleware goes on without awaiting anything. Allocation-free for a
    /// request whose body is not inspected, and for one the authorization result handler will check.
    /// </summary>
    internal EndpointPlan? BeginInspection(HttpContext context)
    {
        if (PlanFor(context) is not { } plan)
        {
            return null;
        }

        var buffered = context.Request.ContentLength is > 0 and <= MaxBodyLength;
        if (buffered && plan.BeforeEndpoint)
        {
            return plan;
        }

        if (!(buffered && plan.ByAuthorizationResultHandler) && plan.Contract is not null)
        {
            InspectedRequestBody.Install(context, plan);
        }

        return null;
    }

    /// <summary>
    /// For the authorization result handler, once the request is authorized: the plan when this body is its to check now
    /// (then <see cref="CheckAsync"/>), buffered without consuming it as before the endpoint.
    /// </summary>
    internal EndpointPlan? PlanAfterAuthorization(HttpContext context) =>
        InPipeline && context.Request.ContentLength is > 0 and <= MaxBodyLength && PlanFor(context) is { ByAuthorizationResultHandler: true } plan
            ? plan
            : null;

    /// <summary>The endpoint's plan for a JSON body in UTF-8 without Content-Encoding; <see langword="null"/> when nothing is to be checked.</summary>
    private EndpointPlan? PlanFor(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength == 0
            || !IsUtf8Json(request.ContentType)
            || request.Headers.ContentEncoding.Count != 0
            || context.GetEndpoint() is not { } endpoint)
        {
            return null;
        }

        if (!_plans.TryGetValue(endpoint, out var plan))
        {
            plan = _plans.GetValue(endpoint, Plan);
        }

        return plan.MaxDepth == 0 ? null : plan;
    }

    /// <summary>
    /// Checks the body now, buffered without consuming it (the plan came from <see cref="BeginInspection"/>).
    /// <see langword="false"/> with the error when it is bad; <see langword="true"/> also when it could not be checked.
    /// </summary>
    internal static async ValueTask<(bool Ok, DefenderError Error)> CheckAsync(HttpContext context, EndpointPlan plan)
    {
        var request = context.Request;
        var length = request.ContentLength!.Value;
        var wrapsStream = context.Features.Get<IRequestBodyPipeFeature>() is null or RequestBodyPipeFeature;
        var reader = request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception exception) when (Internal.DefenderErrorHandler.MarkIfClientGone(context, exception))
            {
                // A client gone mid-body is marked at once, as on the binder's read, wherever this check runs.
                throw;
            }

            var buffer = result.Buffer;
            if (buffer.Length >= length || result.IsCompleted || result.IsCanceled)
            {
                var ok = true;
                var error = default(DefenderError);
                if (buffer.Length == length)
                {
                    ok = Check(buffer, plan, out error);
                }

                // Consume nothing: the binder reads the same bytes.
                reader.AdvanceTo(buffer.Start);
                if (ok && wrapsStream)
                {
                    // A server without a native request pipe (TestServer, HTTP.sys): the reader wraps Request.Body and now holds
                    // the bytes, so reads of Request.Body must go through it.
                    request.Body = reader.AsStream(leaveOpen: true);
                }

                return (ok, error);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool Check(in ReadOnlySequence<byte> body, EndpointPlan plan, out DefenderError error)
    {
        if (body.IsSingleSegment)
        {
            return Check(body.FirstSpan, plan, out error);
        }

        var length = (int)body.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(copy);
            return Check(copy.AsSpan(0, length), plan, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    internal static bool Check(ReadOnlySpan<byte> body, EndpointPlan plan, out DefenderError error)
    {
        if (!JsonSyntaxValidator.TryValidate(body, plan.MaxDepth, out var syntax))
        {
            error = NotValid(syntax.Kind == JsonSyntaxErrorKind.InvalidUtf8, syntax.Kind == JsonSyntaxErrorKind.TooDeep ? "$" : syntax.Path, syntax.Line, syntax.Column);
            return false;
        }

        if (plan.Contract is { } contract)
        {
            if (body.StartsWith("\uFEFF"u8))
            {
                body = body[3..];
            }

            // Valid JSON within the depth limit: the reader does not throw here; should it all the same, the body goes to
            // the binder unjudged rather than failing the request.
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = plan.MaxDepth });
                reader.Read();
                if (BodyScanner.TryFindError(reader, contract, plan.Strict, out error))
                {
                    return false;
                }
            }
            catch (JsonException)
            {
            }
        }

        error = default;
        return true;
    }

    /// <summary>
    /// The one wording of a body that is not JSON (or not UTF-8), for the inspector and for the framework's reader failures
    /// alike: where, by JSON path and — when known — line and column. For nesting too deep the path would only repeat the
    /// brackets, so the inspector says <c>$</c> with the line and column of the first one too many.
    /// </summary>
    internal static DefenderError NotValid(bool utf8, string path, long? line, long? column)
    {
        var where = DefenderAttributeSupport.Sanitize(path);
        return DefenderError.InvalidRequestBody(line is null || column is null
            ? $"The request body is not valid {(utf8 ? "UTF-8" : "JSON")} at {where}."
            : string.Create(CultureInfo.InvariantCulture, $"The request body is not valid {(utf8 ? "UTF-8" : "JSON")} at {where} (line {line}, column {column})."));
    }

    /// <summary>application/json or application/*+json, in UTF-8 (no charset, or charset=utf-8).</summary>
    internal static bool IsUtf8Json(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        var mediaType = (semicolon < 0 ? span : span[..semicolon]).Trim();
        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && !(mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
                && mediaType.IndexOfAny(' ', '\t') < 0))
        {
            return false;
        }

        // Parameters: only a UTF-8 charset (the binders transcode other charsets before parsing).
        var parameters = semicolon < 0 ? [] : span[(semicolon + 1)..];
        while (!parameters.IsEmpty)
        {
            var next = parameters.IndexOf(';');
            var parameter = (next < 0 ? parameters : parameters[..next]).Trim();
            parameters = next < 0 ? [] : parameters[(next + 1)..];
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = parameter[(equals + 1)..].Trim().Trim('"');
            if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private EndpointPlan Plan(Endpoint endpoint)
    {
        try
        {
            return PlanCore(endpoint);
        }
#pragma warning disable CA1031 // An endpoint the plan cannot be worked out for is simply not checked up front.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Skip;
        }
    }

    private EndpointPlan PlanCore(Endpoint endpoint)
    {
        var settings = _settings ??= new Settings(_services);
        var metadata = endpoint.Metadata;

        // What runs between this middleware and the endpoint must keep answering first (401/403, 429, 413): then the body
        // is inspected when the binder reads it, after them.
        var declaresAuthorization = metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null;
        var authorizationFirst = metadata.GetMetadata<IAllowAnonymous>() is null && (declaresAuthorization || settings.HasFallbackPolicy);
        var othersFirst = metadata.GetMetadata<EnableRateLimitingAttribute>() is not null || settings.HasGlobalLimiter
            || metadata.GetMetadata<IRequestSizeLimitMetadata>() is not null;

        JsonSerializerOptions? options;
        Type? bodyType;
        if (metadata.GetMetadata<ActionDescriptor>() is { } action)
        {
            // MVC: an action with a parameter bound from the body, read by System.Text.Json's formatter.
            bodyType = null;
            foreach (var parameter in action.Parameters)
            {
                if (parameter.BindingInfo?.BindingSource is { } source && source.CanAcceptDataFrom(BindingSource.Body))
                {
                    bodyType = parameter.ParameterType;
                    break;
                }
            }

            // [Consumes] without JSON: MVC answers 415 for a JSON body, whatever is in it.
            if (bodyType is null || !settings.MvcReadsJsonWithSystemTextJson
                || (metadata.GetMetadata<IAcceptsMetadata>() is { } consumes && !consumes.ContentTypes.Any(IsUtf8Json)))
            {
                return Skip;
            }

            options = settings.MvcJson;
        }
        else
        {
            // Minimal APIs: the request delegate factory declares a JSON body with IAcceptsMetadata.
            var accepts = metadata.GetMetadata<IAcceptsMetadata>();
            if (accepts is null || !accepts.ContentTypes.Any(IsUtf8Json))
            {
                return Skip;
            }

            bodyType = accepts.RequestType;
            options = settings.HttpJson;
        }

        if (options is null || options.AllowTrailingCommas || options.ReadCommentHandling != JsonCommentHandling.Disallow)
        {
            return Skip;
        }

        if (bodyType is not null && (typeof(Stream).IsAssignableFrom(bodyType) || typeof(PipeReader).IsAssignableFrom(bodyType)))
        {
            // The endpoint reads the raw bytes itself.
            return Skip;
        }

        var maxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth;
        var contract = bodyType is null ? null : settings.Contract(options, bodyType);
        return new EndpointPlan(maxDepth, contract is { NeedsScan: true } ? contract : null, settings.Strict,
            BeforeEndpoint: !authorizationFirst && !othersFirst, AfterAuthorization: authorizationFirst && !othersFirst,
            // Routing refuses to run an endpoint that declares authorization unless the authorization middleware ran, and that
            // calls the registered result handler: when it is ours, nothing needs installing before the endpoint for such a body.
            ByAuthorizationResultHandler: authorizationFirst && !othersFirst && declaresAuthorization && settings.AuthorizationResultHandlerIsOurs);
    }

    /// <summary>
    /// Per endpoint: the depth limit (0: not inspected), the body contract to scan (if it can find anything), strict mode,
    /// whether the body may be checked before the endpoint's own middleware runs, and whether authorization is the only
    /// thing that must answer first (then the body is judged as soon as it has: <see cref="DefenderAuthorizationResultHandler"/>),
    /// and whether that handler is sure to run for it (then a buffered body needs nothing installed before the endpoint).
    /// </summary>
    internal sealed record EndpointPlan(int MaxDepth, BodyContract? Contract, bool Strict, bool BeforeEndpoint, bool AfterAuthorization, bool ByAuthorizationResultHandler);

    /// <summary>The application's settings, read once on the first planned endpoint.</summary>
    private sealed class Settings
    {
        public Settings(IServiceProvider services)
        {
            _httpJson = new Lazy<JsonSerializerOptions?>(() =>
                services.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions);
            _mvcJson = new Lazy<JsonSerializerOptions?>(() =>
                services.GetService<IOptions<MvcJsonOptions>>()?.Value.JsonSerializerOptions);
            HasFallbackPolicy = services.GetService<IOptions<AuthorizationOptions>>()?.Value.FallbackPolicy is not null;
            HasGlobalLimiter = services.GetService<IOptions<RateLimiterOptions>>()?.Value.GlobalLimiter is not null;
            AuthorizationResultHandlerIsOurs = ResultHandlerIsOurs(services)
                && services.GetService<IOptions<Microsoft.AspNetCore.Routing.RouteOptions>>()?.Value.SuppressCheckForUnhandledSecurityMetadata != true;
            Strict = services.GetService<IOptions<DefenderErrorOptions>>()?.Value.RejectUnknownBodyMembers == true;
            _mvcReadsJsonWithSystemTextJson = new Lazy<bool>(() =>
            {
                // Another JSON formatter first (Newtonsoft.Json reads comments, single quotes...): its syntax is not this one.
                var formatters = services.GetService<IOptions<Microsoft.AspNetCore.Mvc.MvcOptions>>()?.Value.InputFormatters;
                return formatters?.OfType<InputFormatter>()
                    .FirstOrDefault(f => f.SupportedMediaTypes.Any(m => m.Contains("json", StringComparison.OrdinalIgnoreCase))) is SystemTextJsonInputFormatter;
            });
        }

        private readonly Lazy<bool> _mvcReadsJsonWithSystemTextJson;

        private readonly Lazy<JsonSerializerOptions?> _httpJson;
        private readonly Lazy<JsonSerializerOptions?> _mvcJson;

        public JsonSerializerOptions? HttpJson => _httpJson.Value;

        public JsonSerializerOptions? MvcJson => _mvcJson.Value;

        public bool HasFallbackPolicy { get; }

        public bool HasGlobalLimiter { get; }

        /// <summary>The registered result handler is ours, and routing insists that authorization ran for endpoints that declare it.</summary>
        public bool AuthorizationResultHandlerIsOurs { get; }

        private static bool ResultHandlerIsOurs(IServiceProvider services)
        {
            // In a scope, as the authorization middleware resolves it (an application's own handler may be scoped); a handler
            // that cannot be resolved here is not ours, and its bodies get the installed reader.
            try
            {
                using var scope = services.CreateScope();
                return scope.ServiceProvider.GetService<IAuthorizationMiddlewareResultHandler>() is DefenderAuthorizationResultHandler;
            }
#pragma warning disable CA1031 // Any failure only means the safer path.
            catch (Exception)
#pragma warning restore CA1031
            {
                return false;
            }
        }

        /// <summary><see cref="DefenderErrorOptions.RejectUnknownBodyMembers"/>.</summary>
        public bool Strict { get; }

        /// <summary>The contract of a body type under the endpoint's JSON options, built once per options and type.</summary>
        public BodyContract? Contract(JsonSerializerOptions options, Type type)
        {
            var cache = _contracts.GetValue(options, static _ => new ConcurrentDictionary<Type, BodyContract?>());
            return cache.TryGetValue(type, out var contract) ? contract : BodyContract.Build(options, type, Strict, cache);
        }

        private readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentDictionary<Type, BodyContract?>> _contracts = [];

        /// <summary>Resolved only for MVC endpoints, so an app without MVC never builds its options.</summary>
        public bool MvcReadsJsonWithSystemTextJson => _mvcReadsJsonWithSystemTextJson.Value;
    }
}
