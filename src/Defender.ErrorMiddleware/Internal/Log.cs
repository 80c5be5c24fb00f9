using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>Every log line this package writes, with fixed event ids so alerts and queries can rely on them.</summary>
internal static partial class Log
{
    internal const string CategoryName = "Defender.ErrorMiddleware";

    [LoggerMessage(EventId = 1, EventName = "DefenderClientError",
        Message = "{Method} {Path} answered {StatusCode} {ErrorCode} \"{ErrorMessage}\" target {Target} trace {TraceId}")]
    internal static partial void ClientError(ILogger logger, LogLevel level, Exception? exception,
        string method, string path, int statusCode, string errorCode, string errorMessage, Guid target, string traceId);

    [LoggerMessage(EventId = 2, EventName = "DefenderServerError", Level = LogLevel.Error,
        Message = "{Method} {Path} answered {StatusCode} {ErrorCode} \"{ErrorMessage}\" target {Target} trace {TraceId}")]
    internal static partial void ServerError(ILogger logger, Exception? exception,
        string method, string path, int statusCode, string errorCode, string errorMessage, Guid target, string traceId);

    [LoggerMessage(EventId = 3, EventName = "DefenderResponseStarted", Level = LogLevel.Error,
        Message = "{Method} {Path} failed after the response started; the connection was aborted instead of answering {StatusCode} {ErrorCode} target {Target} trace {TraceId}")]
    internal static partial void ResponseStarted(ILogger logger, Exception exception,
        string method, string path, int statusCode, string errorCode, Guid target, string traceId);

    [LoggerMessage(EventId = 4, EventName = "DefenderRequestAborted", Level = LogLevel.Debug,
        Message = "The client aborted {Method} {Path}; nothing was written")]
    internal static partial void RequestAborted(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 5, EventName = "DefenderWriteFailed", Level = LogLevel.Error,
        Message = "Writing the error response failed; the original exception is rethrown")]
    internal static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "DefenderMappingFailed", Level = LogLevel.Error,
        Message = "The exception mapping for {ExceptionType} threw; answering InternalServerError")]
    internal static partial void MappingFailed(ILogger logger, Exception mappingException, string exceptionType);

    [LoggerMessage(EventId = 7, EventName = "DefenderUnknownCode", Level = LogLevel.Error,
        Message = "Error code {ErrorCode} is neither documented nor registered with AddErrorCode; answering InternalServerError")]
    internal static partial void UnknownCode(ILogger logger, string errorCode);

    [LoggerMessage(EventId = 8, EventName = "DefenderRethrow", Level = LogLevel.Error,
        Message = "{Method} {Path} threw an exception that is configured to be rethrown target {Target} trace {TraceId}")]
    internal static partial void Rethrowing(ILogger logger, Exception exception, string method, string path, Guid target, string traceId);
}
