using Defender.ErrorMiddleware.OpenApi.Shared;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Defender.ErrorMiddleware.Swashbuckle;

/// <summary>Documents each operation's error responses, as the shared inference decides them.</summary>
internal sealed class DefenderErrorOperationFilter(IServiceProvider services) : IOperationFilter
{
    private readonly Lazy<DefenderErrorResponseInference> _inference = new(() => DefenderErrorResponseInference.Create(services));

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        DefenderErrorOpenApiModel.EnsureSchemas(context.Document, _inference.Value);
        DefenderErrorOpenApiModel.Apply(operation, context.Document, _inference.Value.Infer(context.ApiDescription));
        DefenderErrorOpenApiModel.AddQueryParameters(operation, _inference.Value.QueryParameters(context.ApiDescription));
    }
}
