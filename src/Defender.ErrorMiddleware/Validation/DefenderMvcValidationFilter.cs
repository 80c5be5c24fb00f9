using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
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
/// The error is chosen in this order: a body the serializer could not read (JSON path); a missing body; then the first
/// invalid entry in the order MVC bound and validated (the parameters in declaration order): a value that did not bind
/// (InvalidInput with the value), a missing required one (MissingRequiredParameter), else MVC's validation failure,
/// translated from the member that failed (<see cref="ValidationFailures"/>).
/// </remarks>
internal sealed class DefenderMvcValidationFilter : IAsyncActionFilter
{
    /// <summary>
    /// Runs after <c>[ApiController]</c>'s ModelStateInvalidFilter (-2000), which answers through our factory, and before
    /// filters with the default order 0, so an application filter never sees an invalid model.
    /// </summary>
    internal const int FilterOrder = -1900;

    private readonly ModelBindingMessageProvider _messages;
    private readonly IOptions<JsonOptions> _json;

    public DefenderMvcValidationFilter(IOptions<MvcOptions> mvcOptions, IOptions<JsonOptions> json)
    {
        _json = json;
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

        // 2. The first invalid entry in the order MVC bound and validated: parameters in declaration order, a body's members in
        //    contract order (ModelState keeps its keys sorted by length and name, not in that order).
        var contract = _json.Value.JsonSerializerOptions;
        (int[] Order, string Key, ModelStateEntry Entry, ParameterDescriptor? Parameter, string Path)? first = null;
        foreach (var (key, entry) in modelState)
        {
            if (entry.ValidationState == ModelValidationState.Invalid && entry.Errors.Count > 0)
            {
                var (parameter, index, path) = Locate(context.ActionDescriptor.Parameters, key);
                int[] order = [index, .. ValidationFailures.ContractOrder(contract, Argument(arguments, parameter), path)];
                if (first is null || order.AsSpan().SequenceCompareTo(first.Value.Order) < 0)
                {
                    first = (order, key, entry, parameter, path);
                }
            }
        }

        if (first is not { } chosen)
        {
            return DefenderError.BadRequest();
        }

        var attributes = chosen.Parameter is ControllerParameterDescriptor { ParameterInfo: var info }
            ? DefenderAttributeSupport.Order(DefenderAttributeSupport.Attributes(info))
            : [];
        return BindingError(chosen.Entry, chosen.Key) ?? ValidationFailures.Translate(contract, chosen.Path, [.. chosen.Entry.Errors.Select(static e => e.ErrorMessage)],
            Argument(arguments, chosen.Parameter), attributes, chosen.Parameter is null ? chosen.Key : ModelName(chosen.Parameter));
    }

    /// <summary>The parameter an entry belongs to (one keyed by its name, else the body, keyed without a prefix), its position and the path below it.</summary>
    private static (ParameterDescriptor? Parameter, int Index, string Path) Locate(IList<ParameterDescriptor> parameters, string key)
    {
        var body = -1;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].BindingInfo?.BindingSource == BindingSource.Body)
            {
                body = body < 0 ? i : body;
            }
            else if (PathBelow(key, ModelName(parameters[i])) is { } path)
            {
                return (parameters[i], i, path);
            }
        }

        return body >= 0 ? (parameters[body], body, key) : (null, int.MaxValue, key);
    }

    private static string ModelName(ParameterDescriptor parameter) => parameter.BindingInfo?.BinderModelName ?? parameter.Name;

    private static object? Argument(IDictionary<string, object?>? arguments, ParameterDescriptor? parameter) =>
        parameter is not null && arguments?.TryGetValue(parameter.Name, out var value) == true ? value : null;

    /// <summary>The key's path below a prefix (<c>filter.Top</c> → <c>Top</c>, <c>filter</c> → empty), or <see langword="null"/>.</summary>
    private static string? PathBelow(string key, string prefix) =>
        key == prefix ? string.Empty
        : key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal) && key[prefix.Length] is '.' ? key[(prefix.Length + 1)..]
        : null;

    /// <summary>The action's body type under MVC's JSON options, for naming a member the serializer found missing.</summary>
    private JsonTypeInfo? BodyContract(ActionContext context) =>
        context.ActionDescriptor.Parameters.FirstOrDefault(static p => p.BindingInfo?.BindingSource == BindingSource.Body) is { } body
            ? RequestInputErrors.ContractOf(_json.Value.JsonSerializerOptions, body.ParameterType)
            : null;

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
