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

    /// <summary>What the client is told when a query fails in the library's hands without an <see cref="ODataException"/> of its own.</summary>
    internal const string LibraryReason = "The query cannot be applied.";

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

    /// <summary>
    /// The ODataError for a failure of an OData query, or <see langword="null"/> when the exception is not one (a database
    /// that is down, a cancelled request, a bug in application code: those stay server errors):
    /// the library's <see cref="ODataException"/> (also wrapped in a <see cref="TargetInvocationException"/>) with its reason;
    /// EF Core or its provider refusing the query; any other exception thrown by the OData libraries themselves while they
    /// apply the query. Recognised by where it was thrown, without a reference to EF Core.
    /// </summary>
    internal static DefenderError? Classify(Exception exception)
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
                return FromException(odata);
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
