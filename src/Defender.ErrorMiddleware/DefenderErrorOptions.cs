using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware;

/// <summary>
/// Configures <c>AddDefenderErrors()</c>: message wording, extra codes, exception mappings, status-code handling,
/// request-input checks and logging. Every default is stated on its member.
/// </summary>
public sealed class DefenderErrorOptions
{
    private readonly Dictionary<int, DefenderError> _statusCodeErrors;
    private readonly List<ExceptionMapping> _mappings = [];
    private readonly Dictionary<string, string> _messageOverrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegisteredErrorCode> _registeredCodes = new(StringComparer.Ordinal);

    /// <summary>Creates the options with their defaults.</summary>
    public DefenderErrorOptions()
    {
        // Defender's own throttling code; the rate limiter's bodiless 429 maps to it.
        AddErrorCode(DefenderStatusCodeErrors.TooManyRequests, StatusCodes.Status429TooManyRequests, DefenderStatusCodeErrors.TooManyRequestsMessage);

        StatusCodeErrors = _statusCodeErrors = new Dictionary<int, DefenderError>(DefenderStatusCodeErrors.Defaults);
    }

    /// <summary>Which published wording supplies default messages. Default: <see cref="DefenderMessagePreset.Microsoft365Defender"/>.</summary>
    public DefenderMessagePreset MessagePreset { get; set; } = DefenderMessagePreset.Microsoft365Defender;

    /// <summary>The level at which 4xx errors are logged. Default: <see cref="LogLevel.Warning"/>. 5xx errors are always <see cref="LogLevel.Error"/>.</summary>
    public LogLevel ClientErrorLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>
    /// Whether a 4xx error's exception (and its stack trace) goes into the log. Default: <see langword="false"/>:
    /// a client's mistake is not a server fault, and formatting stacks makes every bad request expensive.
    /// </summary>
    public bool LogClientErrorExceptions { get; set; }

    /// <summary>
    /// Whether responses of status 400–599 that have no body (401/403 challenges, 404 from routing, 405, 413, 415, 429…)
    /// get the envelope. Default: <see langword="true"/>. A response with a body or a Content-Type is left alone,
    /// as is one whose <c>IStatusCodePagesFeature</c> is disabled.
    /// </summary>
    public bool HandleStatusCodes { get; set; } = true;

    /// <summary>
    /// The <c>ProblemDetails.Extensions</c> key that keeps one problem as <c>application/problem+json</c>:
    /// <c>problem.Extensions[DefenderErrorOptions.KeepProblemDetailsExtension] = true</c>. The key is removed before the
    /// framework writes the problem, so clients never see it.
    /// </summary>
    public const string KeepProblemDetailsExtension = "defender.keepProblemDetails";

    /// <summary>
    /// Whether everything written through ASP.NET Core's <c>IProblemDetailsService</c> (status-code pages, the exception
    /// handler, <c>Results.Problem</c>, validation problems, .NET 10's <c>AddValidation()</c>) and MVC's error object results
    /// (<c>Problem()</c>, <c>ValidationProblem()</c>, <c>BadRequest(ModelState)</c>, a string) is answered with the envelope.
    /// Default: <see langword="true"/>. To keep a single problem, set <see cref="KeepProblemDetailsExtension"/> on it.
    /// </summary>
    public bool ConvertProblemDetails { get; set; } = true;

    /// <summary>
    /// The error written for each bodiless status (the response keeps its status). Defaults: 400 BadRequest, 401 Unauthorized,
    /// 403 Forbidden, 404 NotFound, 405/406/408/414/431 BadRequest, 411/413/415 InvalidRequestBody, 429 TooManyRequests;
    /// any other 4xx is BadRequest and any 5xx InternalServerError (a copy of <see cref="DefenderStatusCodeErrors.Defaults"/>;
    /// a status it does not list gets <see cref="DefenderStatusCodeErrors.Resolve(int)"/>). Read through <see cref="GetStatusCodeError"/>.
    /// </summary>
    public IDictionary<int, DefenderError> StatusCodeErrors { get; }

    /// <summary>
    /// Response headers kept when a half-built response is cleared to write an error. A name ending in <c>*</c> is a prefix.
    /// Default: <c>Access-Control-*</c>, <c>Vary</c>, <c>WWW-Authenticate</c>, <c>Allow</c>, <c>Retry-After</c>.
    /// </summary>
    public ICollection<string> PreservedHeaders { get; } =
        new List<string> { "Access-Control-*", "Vary", "WWW-Authenticate", "Allow", "Retry-After" };

    /// <summary>
    /// Whether JSON request bodies bind case-sensitively, so that <c>comment</c> does not fill <c>Comment</c>
    /// and a missing or wrong-case required member is MissingRequiredParameter. Default: <see langword="true"/>.
    /// </summary>
    public bool CaseSensitiveRequestBodies { get; set; } = true;

    /// <summary>Whether a body member the model does not know is rejected as InvalidInput. Default: <see langword="false"/> (ignored).</summary>
    public bool RejectUnknownBodyMembers { get; set; }

    /// <summary>
    /// Whether minimal-API and MVC request validation (binding failures, DataAnnotations, the Defender validation attributes)
    /// answers with the envelope. Default: <see langword="true"/>.
    /// </summary>
    public bool ValidateRequests { get; set; } = true;

    internal IReadOnlyList<ExceptionMapping> Mappings => _mappings;

    /// <summary>
    /// The codes registered with <see cref="AddErrorCode(string, int, string)"/>, by name (ordinal). Default: <c>TooManyRequests</c> (429).
    /// Read by integration packages (the OpenAPI documents list them).
    /// </summary>
    public IReadOnlyDictionary<string, RegisteredErrorCode> RegisteredCodes => _registeredCodes;

    /// <summary>
    /// The message written for a documented code when an error carries none: the <see cref="SetDefaultMessage"/> override,
    /// else the <see cref="MessagePreset"/>'s wording. The writer and the OpenAPI documents both read it.
    /// </summary>
    /// <param name="code">The documented code.</param>
    /// <returns>The default message.</returns>
    public string GetDefaultMessage(DefenderErrorCode code)
    {
        var descriptor = DefenderErrorCatalog.Get(code);
        return _messageOverrides.TryGetValue(descriptor.Name, out var message) ? message : descriptor.GetDefaultMessage(MessagePreset);
    }

    /// <summary>
    /// The error a bodiless response of this status gets (it keeps its status): the <see cref="StatusCodeErrors"/> entry, else
    /// <see cref="DefenderStatusCodeErrors.Resolve(int)"/>. The writer and the OpenAPI documents both read it.
    /// </summary>
    /// <param name="statusCode">The response's status.</param>
    /// <returns>The error to write.</returns>
    public DefenderError GetStatusCodeError(int statusCode) => ResolveStatus(_statusCodeErrors, statusCode);

    /// <summary>The one rule of <see cref="GetStatusCodeError"/>, also read over the writer's frozen copy of the table.</summary>
    internal static DefenderError ResolveStatus(IReadOnlyDictionary<int, DefenderError> table, int statusCode) =>
        table.TryGetValue(statusCode, out var error) ? error : DefenderStatusCodeErrors.Resolve(statusCode);

    /// <summary>Replaces the default message of a documented code (used when an error carries no message of its own).</summary>
    /// <param name="code">The documented code.</param>
    /// <param name="message">The new default message.</param>
    public void SetDefaultMessage(DefenderErrorCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _messageOverrides[DefenderErrorCatalog.Name(code)] = message;
    }

    /// <summary>
    /// Registers an application code beyond the documented ones, e.g. <c>ActiveRequestAlreadyExists</c> (400).
    /// Registering a name again replaces it; the documented codes cannot be redefined.
    /// </summary>
    /// <param name="code">The code's name, as written in the envelope.</param>
    /// <param name="statusCode">Its HTTP status (400–599).</param>
    /// <param name="defaultMessage">The message used when an error with this code carries none.</param>
    public void AddErrorCode(string code, int statusCode, string defaultMessage)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(defaultMessage);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (DefenderErrorCatalog.TryGet(code, out _))
        {
            throw new ArgumentException($"'{code}' is a documented code; its status is fixed. Use SetDefaultMessage to change its message.", nameof(code));
        }

        _registeredCodes[code] = new RegisteredErrorCode(code, statusCode, defaultMessage);
    }

    /// <summary>
    /// Maps exceptions of type <typeparamref name="TException"/> (and types derived from it) to an error.
    /// Mappings are tried in registration order; the first whose type matches wins.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="map">Builds the error from the exception. Never put the exception's own text in it unless it is meant for clients.</param>
    public void Map<TException>(Func<TException, DefenderError> map)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(map);
        _mappings.Add(new ExceptionMapping(typeof(TException), ExceptionMappingKind.Map, (_, ex) => map((TException)ex)));
    }

    /// <summary>
    /// Maps exceptions of type <typeparamref name="TException"/> to an error, with access to the request.
    /// Returning <see langword="null"/> passes the exception on to the next mapping.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="map">Builds the error, or returns <see langword="null"/> to decline.</param>
    public void Map<TException>(Func<HttpContext, TException, DefenderError?> map)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(map);
        _mappings.Add(new ExceptionMapping(typeof(TException), ExceptionMappingKind.Map, (context, ex) => map(context, (TException)ex)));
    }

    /// <summary>Maps exceptions of type <typeparamref name="TException"/> to a code with its default message.</summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="code">The documented code.</param>
    public void Map<TException>(DefenderErrorCode code)
        where TException : Exception
    {
        var error = new DefenderError(code);
        _mappings.Add(new ExceptionMapping(typeof(TException), ExceptionMappingKind.Map, (_, _) => error));
    }

    /// <summary>
    /// Leaves exceptions of type <typeparamref name="TException"/> alone: they propagate to an outer handler
    /// or the server, unlogged by this middleware.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    public void Ignore<TException>()
        where TException : Exception =>
        _mappings.Add(new ExceptionMapping(typeof(TException), ExceptionMappingKind.Ignore, null));

    /// <summary>
    /// Logs exceptions of type <typeparamref name="TException"/> as server errors (with a target) and then rethrows them
    /// for an outer handler; no envelope is written.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    public void Rethrow<TException>()
        where TException : Exception =>
        _mappings.Add(new ExceptionMapping(typeof(TException), ExceptionMappingKind.Rethrow, null));
}

internal enum ExceptionMappingKind
{
    Map,
    Ignore,
    Rethrow,
}

internal sealed record ExceptionMapping(Type ExceptionType, ExceptionMappingKind Kind, Func<HttpContext, Exception, DefenderError?>? Map);

/// <summary>A code the application registered with <see cref="DefenderErrorOptions.AddErrorCode(string, int, string)"/>.</summary>
public sealed class RegisteredErrorCode
{
    internal RegisteredErrorCode(string code, int statusCode, string defaultMessage)
    {
        Code = code;
        StatusCode = statusCode;
        DefaultMessage = defaultMessage;
    }

    /// <summary>The code's name, as written in the envelope.</summary>
    public string Code { get; }

    /// <summary>Its HTTP status (400–599).</summary>
    public int StatusCode { get; }

    /// <summary>The message used when an error with this code carries none.</summary>
    public string DefaultMessage { get; }
}
