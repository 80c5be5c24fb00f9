using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Routing;
using Microsoft.OData;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>The one place that decides what a client is told when an OData query fails.</summary>
internal static class ODataErrors
{
    /// <summary>What a client learns when the data source cannot run a well-formed query; the provider's text stays in the log.</summary>
    internal const string DataSourceReason = "The data source cannot run this query.";

    /// <summary>
    /// The library's own reason, echoed through the core factory (bounded, control characters escaped).
    /// Never the type, the stack or an inner error: that is what Microsoft.AspNetCore.OData would send.
    /// </summary>
    internal static DefenderError FromException(ODataException exception) => DefenderError.ODataError(exception.Message);

    internal static DefenderError OptionTooLong(string option, int length, int limit) =>
        DefenderError.ODataError(string.Create(CultureInfo.InvariantCulture,
            $"The {option} query option is {length} characters long; the limit is {limit}."));

    /// <summary>
    /// The <see cref="SerializableError"/> that <c>[EnableQuery]</c> answers a bad query with (message, exception message,
    /// type and stack), as ODataError: the library's reason when it is an OData exception, else a fixed reason.
    /// </summary>
    internal static DefenderError? FromEnableQueryError(SerializableError error)
    {
        if (!error.TryGetValue(SerializableErrorKeys.ExceptionTypeKey, out var type) || type is not string typeName)
        {
            return null;
        }

        var reason = error.TryGetValue(SerializableErrorKeys.ExceptionMessageKey, out var message) ? message as string ?? "" : "";
        if (typeName.StartsWith("Microsoft.OData.", StringComparison.Ordinal) && reason.Length > 0)
        {
            return DefenderError.ODataError(reason);
        }

        // Only the type's name is left: EF Core's refusals are known by their wording, anything else is the generic reason.
        return DefenderError.ODataError(reason.Contains("could not be translated", StringComparison.Ordinal) || reason.Contains("does not support", StringComparison.Ordinal)
            ? DataSourceReason
            : LibraryReason);
    }

    /// <summary>What the client is told when a query fails in the library's hands without an <see cref="ODataException"/> of its own.</summary>
    internal const string LibraryReason = "The query cannot be applied.";

    /// <summary>
    /// The ODataError for a failure of an OData query, or <see langword="null"/> when the exception is not one (a database
    /// that is down, a cancelled request, a bug in application code: those stay server errors):
    /// the library's <see cref="ODataException"/> (also wrapped in a <see cref="TargetInvocationException"/>) with its reason;
    /// EF Core refusing the query (it cannot translate it, or the provider cannot run it: SQLite and <c>DateTimeOffset</c>
    /// ordering); any other exception thrown by the OData libraries themselves while they apply the query. Recognised by
    /// shape, without a reference to EF Core.
    /// </summary>
    internal static DefenderError? Classify(Exception exception)
    {
        var current = exception;
        while (current is TargetInvocationException { InnerException: { } inner })
        {
            current = inner;
        }

        switch (current)
        {
            case ODataException odata:
                return FromException(odata);
            case OperationCanceledException or DbException:
                return null;
            case InvalidOperationException e when e.Message.Contains("could not be translated", StringComparison.Ordinal)
                || e.Message.Contains("evaluate a LINQ query parameter expression", StringComparison.Ordinal):
                // EF Core cannot translate the query, or cannot evaluate a part made of literals (substring('abc', 5)).
                return DefenderError.ODataError(DataSourceReason);
            case NotSupportedException e when e.Source?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) == true:
                return DefenderError.ODataError(DataSourceReason);
            default:
                return ThrownByODataLibrary(exception, current) ? DefenderError.ODataError(LibraryReason) : null;
        }
    }

    /// <summary>
    /// Whether the nearest frame outside the .NET libraries, from where the exception was thrown, is the OData libraries'.
    /// A wrapped exception may have only .NET frames (a literal evaluated by reflection: <c>substring('abc', 5)</c>); then
    /// the wrapper's frames decide.
    /// </summary>
    private static bool ThrownByODataLibrary(Exception outer, Exception innermost)
    {
        var chain = new List<Exception>();
        for (Exception? e = outer; e is not null && chain.Count < 8; e = e.InnerException)
        {
            chain.Add(e);
            if (ReferenceEquals(e, innermost))
            {
                break;
            }
        }

        for (var i = chain.Count - 1; i >= 0; i--)
        {
            foreach (var frame in new StackTrace(chain[i], fNeedFileInfo: false).GetFrames())
            {
                var assembly = frame.GetMethod()?.DeclaringType?.Assembly.GetName().Name;
                if (assembly is null || assembly.StartsWith("System.", StringComparison.Ordinal) || assembly is "System" or "mscorlib" or "netstandard")
                {
                    continue;
                }

                return assembly.StartsWith("Microsoft.OData.", StringComparison.Ordinal) || assembly.StartsWith("Microsoft.AspNetCore.OData", StringComparison.Ordinal);
            }
        }

        return false;
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
