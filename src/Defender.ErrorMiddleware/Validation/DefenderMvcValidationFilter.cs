using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// MVC: answers an action whose model state is invalid with one Defender error — for controllers without
/// <c>[ApiController]</c> as a global action filter, and for those with it as the <c>InvalidModelStateResponseFactory</c>.
/// </summary>
/// <remarks>
/// The error is chosen in this order: a body the serializer could not read (JSON path); a missing body; then the action's
/// parameters in declaration order — a value that did not bind (InvalidInput with the value), a missing required one
/// (MissingRequiredParameter), the first DataAnnotations failure of the value (see <see cref="ModelValidator"/>); finally any
/// other invalid entry.
/// </remarks>
internal sealed class DefenderMvcValidationFilter : IAsyncActionFilter
{
    /// <summary>
    /// Runs after <c>[ApiController]</c>'s ModelStateInvalidFilter (-2000), which answers through our factory, and before
    /// filters with the default order 0, so an application filter never sees an invalid model.
    /// </summary>
    internal const int FilterOrder = -1900;

    private readonly RequestValidators _validators;
    private readonly ModelBindingMessageProvider _messages;

    private readonly IOptions<JsonOptions> _json;

    public DefenderMvcValidationFilter(RequestValidators validators, IOptions<MvcOptions> mvcOptions, IOptions<JsonOptions> json)
    {
        _json = json;
        _validators = validators;
        _messages = mvcOptions.Value.ModelBindingMessageProvider;
    }

    public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        if (context.ModelState.IsValid)
        {
            return next();
        }

        context.Result = new DefenderErrorResult(Select(context, context.ActionArguments));
        return Task.CompletedTask;
    }

    /// <summary>The <c>InvalidModelStateResponseFactory</c>.</summary>
    internal static IActionResult CreateResult(ActionContext context)
    {
        var filter = context.HttpContext.RequestServices.GetRequiredService<DefenderMvcValidationFilter>();
        return new DefenderErrorResult(filter.Select(context, (context as ActionExecutingContext)?.ActionArguments));
    }

    internal DefenderError Select(ActionContext context, IDictionary<string, object?>? arguments)
    {
        var modelState = context.ModelState;

        // 1. The body could not be read.
        foreach (var entry in modelState)
        {
            foreach (var modelError in entry.Value.Errors)
            {
                if (modelError.Exception is JsonException json)
                {
                    return RequestInputErrors.ForJson(json, BodyContract(context));
                }

                if (modelError.Exception is not null)
                {
                    return DefenderError.InvalidRequestBody();
                }

                if (modelError.ErrorMessage == _messages.MissingRequestBodyRequiredValueAccessor())
                {
                    return DefenderError.InvalidRequestBody(RequestInputErrors.EmptyBodyMessage);
                }
            }
        }

        // 2. The parameters, in declaration order.
        foreach (var parameter in context.ActionDescriptor.Parameters)
        {
            var name = parameter.BindingInfo?.BinderModelName ?? parameter.Name;
            var isBody = parameter.BindingInfo?.BindingSource == BindingSource.Body;
            if (!isBody && modelState.TryGetValue(name, out var entry) && entry.ValidationState == ModelValidationState.Invalid)
            {
                if (BindingError(entry, name) is { } bindingError)
                {
                    return bindingError;
                }
            }

            if (arguments is not null && (isBody || modelState.GetFieldValidationState(name) == ModelValidationState.Invalid))
            {
                arguments.TryGetValue(parameter.Name, out var value);
                var attributes = parameter is ControllerParameterDescriptor controllerParameter
                    ? DefenderAttributeSupport.Order(ModelValidator.Attributes(controllerParameter.ParameterInfo))
                    : [];
                if (!_validators.Mvc.TryValidate(value, name, attributes, out var error))
                {
                    return error;
                }
            }
        }

        // 3. Anything else MVC found (for example its implicit [Required] on non-nullable members).
        foreach (var entry in modelState)
        {
            if (entry.Value.ValidationState == ModelValidationState.Invalid && entry.Value.Errors.Count > 0)
            {
                return entry.Value.AttemptedValue is { } attempted
                    ? DefenderError.InvalidInput(attempted)
                    : entry.Key.Length == 0 ? DefenderError.InvalidRequestBody() : DefenderError.MissingRequiredParameter(entry.Key);
            }
        }

        return DefenderError.BadRequest();
    }

    /// <summary>The action's body type under MVC's JSON options, for naming a member the serializer found missing.</summary>
    private JsonTypeInfo? BodyContract(ActionContext context)
    {
        foreach (var parameter in context.ActionDescriptor.Parameters)
        {
            if (parameter.BindingInfo?.BindingSource == BindingSource.Body)
            {
                try
                {
                    return _json.Value.JsonSerializerOptions.GetTypeInfo(parameter.ParameterType);
                }
                catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>An error the model binder added (not a validator): a value that did not convert, or no value at all.</summary>
    private DefenderError? BindingError(ModelStateEntry entry, string name)
    {
        foreach (var modelError in entry.Errors)
        {
            var message = modelError.ErrorMessage;
            if (message == _messages.MissingBindRequiredValueAccessor(name) || message == _messages.MissingKeyOrValueAccessor()
                || message == _messages.ValueMustNotBeNullAccessor(entry.AttemptedValue ?? string.Empty))
            {
                return DefenderError.MissingRequiredParameter(name);
            }

            if (entry.AttemptedValue is { } attempted
                && (message == _messages.AttemptedValueIsInvalidAccessor(attempted, name)
                    || message == _messages.NonPropertyAttemptedValueIsInvalidAccessor(attempted)
                    || message == _messages.ValueMustBeANumberAccessor(name)
                    || message == _messages.NonPropertyValueMustBeANumberAccessor()
                    || message == _messages.UnknownValueIsInvalidAccessor(name)
                    || message == _messages.NonPropertyUnknownValueIsInvalidAccessor()))
            {
                return DefenderError.InvalidInput(attempted);
            }
        }

        return null;
    }
}
