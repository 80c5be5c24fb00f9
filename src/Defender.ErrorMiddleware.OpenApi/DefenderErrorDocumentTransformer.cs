using Defender.ErrorMiddleware.OpenApi.Shared;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Defender.ErrorMiddleware.OpenApi;

/// <summary>Adds the envelope schema even to a document without operations, so clients can always generate the type.</summary>
internal sealed class DefenderErrorDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        DefenderErrorOpenApiModel.EnsureSchemas(document, DefenderErrorResponseInference.Create(context.ApplicationServices));
        return Task.CompletedTask;
    }
}
