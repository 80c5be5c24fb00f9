using Defender.ErrorMiddleware.OpenApi.Shared;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Defender.ErrorMiddleware.OpenApi;

/// <summary>Documents each operation's error responses, as the shared inference decides them.</summary>
internal sealed class DefenderErrorOperationTransformer : IOpenApiOperationTransformer
{
    private DefenderErrorResponseInference? _inference;

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var inference = _inference ??= DefenderErrorResponseInference.Create(context.ApplicationServices);
        DefenderErrorOpenApiModel.EnsureSchemas(context.Document!, inference);
        DefenderErrorOpenApiModel.Apply(operation, context.Document!, inference.Infer(context.Description));
        DefenderErrorOpenApiModel.AddQueryParameters(operation, inference.QueryParameters(context.Description));
        return Task.CompletedTask;
    }
}
