using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>The log lines of this package, with fixed event ids (the core's are 1–99).</summary>
internal static partial class ODataLog
{
    internal const string CategoryName = "Defender.ErrorMiddleware.OData";

    [LoggerMessage(EventId = 100, EventName = "DefenderODataInternalErrorText", Level = LogLevel.Warning,
        Message = "The OData library's text \"{LibraryMessage}\" names one of its code paths; the client is told \"{Reason}\" (trace {TraceId})")]
    internal static partial void InternalErrorReplaced(ILogger logger, string libraryMessage, string reason, string traceId);
}
