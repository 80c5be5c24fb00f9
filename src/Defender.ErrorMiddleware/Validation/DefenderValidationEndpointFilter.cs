using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

// ValidationOptions.Resolvers is experimental in .NET 10; reading its count is how the framework itself decides.
#pragma warning disable ASP0029

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// The minimal-API filter: validates the arguments that carry DataAnnotations (on the parameter or inside its type) and
/// answers the first failure with the envelope. An endpoint with nothing to validate keeps its delegate untouched.
/// </summary>
internal static class DefenderValidationEndpointFilter
{
    internal static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var validators = context.ApplicationServices.GetService<RequestValidators>();
        if (validators is not { Enabled: true }
            || context.ApplicationServices.GetService<IOptions<ValidationOptions>>()?.Value.Resolvers.Count > 0)
        {
            // With AddValidation() the framework's own filter validates every endpoint (and AddDefenderErrors() maps its
            // failures), so validating here too would only do the work twice.
            return next;
        }

        var validator = validators.Http;
        var parameters = context.MethodInfo.GetParameters();
        List<ParameterPlan>? plans = null;
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (IsService(parameter))
            {
                continue;
            }

            var attributes = DefenderAttributeSupport.Order(ModelValidator.Attributes(parameter));
            if (attributes.Length > 0 || validator.NeedsValidation(parameter.ParameterType))
            {
                (plans ??= []).Add(new ParameterPlan(i, BoundName(parameter), attributes));
            }
        }

        if (plans is null)
        {
            return next;
        }

        var planArray = plans.ToArray();
        return invocation =>
        {
            foreach (var plan in planArray)
            {
                var argument = plan.Index < invocation.Arguments.Count ? invocation.Arguments[plan.Index] : null;
                if (!validator.TryValidate(argument, plan.Name, plan.Attributes, out var error))
                {
                    return ValueTask.FromResult<object?>(DefenderResults.Error(error));
                }
            }

            return next(invocation);
        };
    }

    private static bool IsService(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        return type == typeof(HttpContext) || type == typeof(HttpRequest) || type == typeof(HttpResponse)
            || type == typeof(CancellationToken) || type == typeof(System.Security.Claims.ClaimsPrincipal)
            || type == typeof(Stream) || type == typeof(System.IO.Pipelines.PipeReader)
            || parameter.GetCustomAttributes(inherit: true).Any(a => a is IFromServiceMetadata or Microsoft.Extensions.DependencyInjection.FromKeyedServicesAttribute);
    }

    /// <summary>The name the client uses: <c>[FromQuery(Name = "…")]</c> and the like, else the parameter's.</summary>
    internal static string BoundName(ParameterInfo parameter)
    {
        foreach (var attribute in parameter.GetCustomAttributes(inherit: true))
        {
            var name = attribute switch
            {
                IFromQueryMetadata query => query.Name,
                IFromRouteMetadata route => route.Name,
                IFromHeaderMetadata header => header.Name,
                IFromFormMetadata form => form.Name,
                _ => null,
            };
            if (!string.IsNullOrEmpty(name))
            {
                return name;
            }
        }

        return parameter.Name ?? "body";
    }

    private sealed record ParameterPlan(int Index, string Name, ValidationAttribute[] Attributes);
}
