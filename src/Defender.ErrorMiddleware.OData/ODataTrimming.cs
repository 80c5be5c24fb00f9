namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Why the OData package's entry points carry <c>[RequiresUnreferencedCode]</c>/<c>[RequiresDynamicCode]</c>: Microsoft.AspNetCore.OData
/// (and the MVC it builds on) binds queries, builds the EDM model and writes entities by reflection and run-time generics, so
/// a trimmed or Native AOT app would fail at run time. The attributes turn that into a warning at the app's call site.
/// </summary>
internal static class ODataTrimming
{
    internal const string Message =
        "Microsoft.AspNetCore.OData and MVC are not trim- or Native AOT-compatible: queries, the EDM model and entity responses use reflection and run-time generics. Native AOT apps use the core package's own errors without OData.";
}
