using Defender.ErrorMiddleware.OpenApi;
using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the Defender error contract in documents made by Microsoft.AspNetCore.OpenApi.</summary>
public static class DefenderErrorsOpenApiOptionsExtensions
{
    /// <summary>
    /// Adds the <c>DefenderError</c> envelope schema and, to every operation, the error responses it can produce
    /// (inferred from its parameters, authorization and route; adjusted with <c>ProducesDefenderError</c>), each with its codes and one example per code; body schemas keep the
    /// required members the core's body contract checks itself.
    /// </summary>
    /// <param name="options">The document's options: <c>builder.Services.AddOpenApi(o =&gt; o.AddDefenderErrors())</c>.</param>
    /// <returns>The same options.</returns>
    public static OpenApiOptions AddDefenderErrors(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddOperationTransformer<DefenderErrorOperationTransformer>();
        options.AddDocumentTransformer<DefenderErrorDocumentTransformer>();
        options.AddSchemaTransformer<DefenderBodySchemaTransformer>();
        return options;
    }
}
