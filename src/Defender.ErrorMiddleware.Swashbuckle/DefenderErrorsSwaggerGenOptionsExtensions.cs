using System.Diagnostics.CodeAnalysis;
using Defender.ErrorMiddleware.Swashbuckle;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the Defender error contract in documents made by Swashbuckle.</summary>
public static class DefenderErrorsSwaggerGenOptionsExtensions
{
    // Swashbuckle's generator is not annotated for trimming (no IsTrimmable, schemas made by reflection over any type), so its
    // documents cannot be trusted in a trimmed or Native AOT app; Microsoft.AspNetCore.OpenApi with the OpenApi package can.
    private const string TrimmingMessage =
        "Swashbuckle.AspNetCore.SwaggerGen is not trim- or Native AOT-compatible (it builds schemas by reflection). Native AOT apps document their errors with Microsoft.AspNetCore.OpenApi and Defender.ErrorMiddleware.OpenApi.";

    /// <summary>
    /// Adds the <c>DefenderError</c> envelope schema and, to every operation, the error responses it can produce
    /// (inferred from its parameters, authorization and route; adjusted with <c>ProducesDefenderError</c>), each with its codes and one example per code.
    /// </summary>
    /// <param name="options">The generator's options: <c>builder.Services.AddSwaggerGen(o =&gt; o.AddDefenderErrors())</c>.</param>
    /// <returns>The same options.</returns>
    [RequiresUnreferencedCode(TrimmingMessage)]
    [RequiresDynamicCode(TrimmingMessage)]
    public static SwaggerGenOptions AddDefenderErrors(this SwaggerGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.OperationFilter<DefenderErrorOperationFilter>();
        options.DocumentFilter<DefenderErrorDocumentFilter>();
        return options;
    }
}
