using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OData;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>The one place that decides what a client is told when an OData query fails.</summary>
internal static class ODataErrors
{
    /// <summary>What a client learns when the data source cannot run a well-formed query; the provider's text stays in the log.</summary>
    internal const string DataSourceReason = "The data source cannot run this query.";

    /// <summary>What the client is told when a query fails in the library's hands without an <see cref="ODataException"/> of its own.</summary>
    internal const string LibraryReason = "The query cannot be applied.";

    /// <summary>
    /// What the client is told instead of the parser's "An internal error '&lt;identifier&gt;' occurred.": the library raises it
    /// for a well-formed query whose operator or function does not apply to its operands' types (<c>riskScore has 'High'</c>).
    /// </summary>
    internal const string OperandTypesReason = "An operator or function in the query does not apply to the types of its operands.";

    // Microsoft.OData.Core's resource General_InternalError: "An internal error '{0}' occurred." ({0} is a code path's name).
    private const string InternalErrorPrefix = "An internal error '";
    private const string InternalErrorSuffix = "' occurred.";

    /// <summary>
    /// The library's own reason, echoed through the core factory (bounded, control characters escaped).
    /// Never the type, the stack or an inner error: that is what Microsoft.AspNetCore.OData would send.
    /// </summary>
    internal static DefenderError FromException(HttpContext context, ODataException exception) =>
        DefenderError.ODataError(ClientReason(context, exception.Message));

    /// <summary><see cref="ClientReason(string)"/>, logging the library's text when the client is told something else.</summary>
    internal static string ClientReason(HttpContext context, string libraryMessage)
    {
        var reason = ClientReason(libraryMessage);
        if (!ReferenceEquals(reason, libraryMessage) && context.RequestServices?.GetService<ILoggerFactory>() is { } loggers)
        {
            // The text is the library's resource with a code path's name in it: no request data, nothing to escape.
            ODataLog.InternalErrorReplaced(loggers.CreateLogger(ODataLog.CategoryName), libraryMessage, reason, Activity.Current is { } activity ? activity.TraceId.ToHexString() : context.TraceIdentifier);
        }

        return reason;
    }

    /// <summary>
    /// The reason a client reads for a message of the OData libraries: the message itself, except the libraries' internal-error
    /// texts, which name a code path of the parser; those become a plain reason (the original stays in the log).
    /// </summary>
    internal static string ClientReason(string libraryMessage)
    {
        ArgumentNullException.ThrowIfNull(libraryMessage);
        if (!libraryMessage.StartsWith(InternalErrorPrefix, StringComparison.Ordinal) || !libraryMessage.EndsWith(InternalErrorSuffix, StringComparison.Ordinal))
        {
            return libraryMessage;
        }

        // The identifiers of type promotion are reached by operands of the wrong types; any other code path is the generic reason.
        return libraryMessage.AsSpan(InternalErrorPrefix.Length).StartsWith("TypePromotionUtils_", StringComparison.Ordinal)
            ? OperandTypesReason
            : LibraryReason;
    }

    /// <summary>A system query option Defender does not document, refused unless the application allowed it.</summary>
    internal static DefenderError NotSupported(string option) =>
        DefenderError.ODataError(string.Concat("The ", option, " query option is not supported."));

    /// <summary>
    /// A query stopped by the time budget: ODataError, because it is this query that costs too much and the client can narrow
    /// it (InternalServerError would tell it to retry the same work; the database is not at fault).
    /// </summary>
    internal static DefenderError QueryTimedOut(TimeSpan timeout) =>
        DefenderError.ODataError(string.Create(CultureInfo.InvariantCulture,
            $"The query did not finish within {timeout.TotalSeconds:0.###} seconds; narrow it with $filter or $top."));

    internal static DefenderError OptionTooLong(string option, int length, int limit) =>
        DefenderError.ODataError(string.Create(CultureInfo.InvariantCulture,
            $"The {option} query option is {length} characters long; the limit is {limit}."));

    /// <summary>
    /// The <see cref="SerializableError"/> that <c>[EnableQuery]</c> answers a bad query with (message, exception message,
    /// type and stack), as ODataError: the library's reason when it is an OData exception, else a fixed reason.
    /// </summary>
    internal static DefenderError? FromEnableQueryError(HttpContext context, SerializableError error)
    {
        if (!error.TryGetValue(SerializableErrorKeys.ExceptionTypeKey, out var type) || type is not string typeName)
        {
            return null;
        }

        var reason = error.TryGetValue(SerializableErrorKeys.ExceptionMessageKey, out var message) ? message as string ?? "" : "";
        if (typeName.StartsWith("Microsoft.OData.", StringComparison.Ordinal) && reason.Length > 0)
        {
            return DefenderError.ODataError(ClientReason(context, reason));
        }

        // Only the type's name is left: EF Core's refusals are known by their wording, anything else is the generic reason.
        return DefenderError.ODataError(reason.Contains("could not be translated", StringComparison.Ordinal) || reason.Contains("does not support", StringComparison.Ordinal)
            ? DataSourceReason
            : LibraryReason);
    }

    /// <summary>
    /// The ODataError for a failure of an OData query, or <see langword="null"/> when the exception is not one (a database
    /// that is down, a cancelled request, a bug in application code: those stay server errors):
    /// the library's <see cref="ODataException"/> (also wrapped in a <see cref="TargetInvocationException"/>) with its reason;
    /// EF Core or its provider refusing the query; any other exception thrown by the OData libraries themselves while they
    /// apply the query. Recognised by where it was thrown, without a reference to EF Core.
    /// </summary>
    internal static DefenderError? Classify(HttpContext context, Exception exception)
    {
        var chain = new List<Exception>();
        for (Exception? e = exception; e is not null && chain.Count < 8; e = e.InnerException)
        {
            chain.Add(e);
        }

        foreach (var e in chain)
        {
            if (e is ODataException odata)
            {
                return FromException(context, odata);
            }

            if (e is OperationCanceledException or DbException or ObjectDisposedException || e.Message.Contains("second operation", StringComparison.Ordinal))
            {
                // A cancelled request, a database that is down, a DbContext used concurrently: not the client's query.
                return null;
            }
        }

        return FirstForeignAssembly(chain) switch
        {
            // EF Core or its provider refusing this query: it cannot translate it ("could not be translated", "requires the
            // SQL APPLY operation, which is not supported on SQLite"), cannot evaluate a literal part (substring('abc', 5)),
            // or cannot send a value ("Cannot store 'NaN' values").
            { } assembly when IsDataAccess(assembly) => DefenderError.ODataError(DataSourceReason),
            { } assembly when IsODataLibrary(assembly) => DefenderError.ODataError(LibraryReason),
            _ => null,
        };
    }

    private static bool IsDataAccess(string assembly) =>
        assembly.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || assembly.StartsWith("Microsoft.Data.", StringComparison.Ordinal)
        || assembly.StartsWith("Npgsql", StringComparison.Ordinal);

    private static bool IsODataLibrary(string assembly) =>
        assembly.StartsWith("Microsoft.OData.", StringComparison.Ordinal) || assembly.StartsWith("Microsoft.AspNetCore.OData", StringComparison.Ordinal);

    /// <summary>
    /// The assembly of the nearest frame outside the .NET libraries from where the root cause was thrown. The root cause may
    /// have only .NET frames (a literal evaluated by reflection, a serializer's wrapper); then its wrappers' frames decide.
    /// </summary>
    private static string? FirstForeignAssembly(List<Exception> chain)
    {
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            foreach (var frame in new StackTrace(chain[i], fNeedFileInfo: false).GetFrames())
            {
                var assembly = frame.GetMethod()?.DeclaringType?.Assembly.GetName().Name;
                if (assembly is null || assembly.StartsWith("System.", StringComparison.Ordinal) || assembly is "System" or "mscorlib" or "netstandard")
                {
                    continue;
                }

                return assembly;
            }
        }

        return null;
    }

    /// <summary>An OData endpoint, or a request that sends system query options.</summary>
    internal static bool IsODataRequest(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<DefenderODataQueryMetadata>() is not null || metadata?.GetMetadata<IODataRoutingMetadata>() is not null
            || context.ODataFeature().Path is not null)
        {
            return true;
        }

        foreach (var key in context.Request.Query.Keys)
        {
            if (key.StartsWith('$'))
            {
                return true;
            }
        }

        return false;
    }
}
