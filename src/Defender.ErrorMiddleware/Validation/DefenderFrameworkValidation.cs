using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Defender.ErrorMiddleware.Internal;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

// Microsoft.Extensions.Validation's resolver and context types are marked experimental in .NET 10; they are the documented
// way to take part in AddValidation(), and the only one that sees which member failed.
#pragma warning disable ASP0029

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// .NET 10's <c>AddValidation()</c> validates minimal-API arguments (source-generated) and writes its failures as an
/// <c>HttpValidationProblemDetails</c> through <c>IProblemDetailsService</c> — messages only. This setup puts a resolver
/// first that wraps each validated parameter: when the framework's validation of it adds an error, the first one is
/// translated, from the member that failed, into the one Defender error (the rule of <see cref="DefenderAttributeSupport.ErrorFor"/>:
/// <c>[Required]</c> MissingRequiredParameter, the Defender attributes their own code, anything else InvalidInput), and
/// kept for the request; the ProblemDetails writer answers with it.
/// </summary>
internal sealed class DefenderValidationSetup : IPostConfigureOptions<ValidationOptions>
{
    private readonly DefenderErrorOptions _options;
    private readonly IOptions<HttpJsonOptions> _json;

    public DefenderValidationSetup(IOptions<DefenderErrorOptions> options, IOptions<HttpJsonOptions> json)
    {
        _options = options.Value;
        _json = json;
    }

    public void PostConfigure(string? name, ValidationOptions options)
    {
        // No resolvers means the application did not call AddValidation(); adding one would switch the framework's filter on.
        if (!_options.ValidateRequests || options.Resolvers.Count == 0 || options.Resolvers.Any(r => r is DefenderValidatableInfoResolver))
        {
            return;
        }

        options.Resolvers.Insert(0, new DefenderValidatableInfoResolver(options, () => _json.Value.SerializerOptions));
    }
}

internal sealed class DefenderValidatableInfoResolver : IValidatableInfoResolver
{
    private readonly ValidationOptions _options;
    private readonly Func<JsonSerializerOptions> _contractOptions;

    internal DefenderValidatableInfoResolver(ValidationOptions options, Func<JsonSerializerOptions> contractOptions)
    {
        _options = options;
        _contractOptions = contractOptions;
    }

    // Types are described by the other resolvers; errors are collected per parameter, which is where the walk starts.
    public bool TryGetValidatableTypeInfo(Type type, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        validatableInfo = null;
        return false;
    }

    public bool TryGetValidatableParameterInfo(ParameterInfo parameterInfo, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        foreach (var resolver in _options.Resolvers)
        {
            if (resolver != this && resolver.TryGetValidatableParameterInfo(parameterInfo, out var inner))
            {
                validatableInfo = new DefenderValidatableParameter(inner, parameterInfo, _contractOptions);
                return true;
            }
        }

        validatableInfo = null;
        return false;
    }
}

/// <summary>The framework's validation of one parameter, plus the translation of its first error.</summary>
internal sealed class DefenderValidatableParameter : IValidatableInfo
{
    private readonly IValidatableInfo _inner;
    private readonly string _parameterName;
    private readonly string _boundName;
    private readonly ValidationAttribute[] _attributes;
    private readonly Func<JsonSerializerOptions> _contractOptions;

    internal DefenderValidatableParameter(IValidatableInfo inner, ParameterInfo parameter, Func<JsonSerializerOptions> contractOptions)
    {
        _inner = inner;
        _parameterName = parameter.Name ?? string.Empty;
        _boundName = DefenderValidationEndpointFilter.BoundName(parameter);
        _attributes = DefenderAttributeSupport.Order(ModelValidator.Attributes(parameter));
        _contractOptions = contractOptions;
    }

    public Task ValidateAsync(object? value, ValidateContext context, CancellationToken cancellationToken)
    {
        // A valid argument costs one count read: nothing is subscribed or allocated.
        var before = context.ValidationErrors?.Count ?? 0;
        var task = _inner.ValidateAsync(value, context, cancellationToken);
        if (!task.IsCompletedSuccessfully)
        {
            return AwaitAsync(task, value, context, before);
        }

        Record(value, context, before);
        return Task.CompletedTask;
    }

    private async Task AwaitAsync(Task task, object? value, ValidateContext context, int before)
    {
        await task.ConfigureAwait(false);
        Record(value, context, before);
    }

    private void Record(object? value, ValidateContext context, int before)
    {
        if (context.ValidationErrors is not { } errors || errors.Count <= before
            || context.ValidationContext.GetService(typeof(DefenderValidationState)) is not DefenderValidationState { Error: null } state)
        {
            return;
        }

        // Keys are added in validation order; the first one this parameter added is the one reported.
        var (key, messages) = errors.Skip(before).First();
        state.Error = Translate(key, messages, value);
    }

    private DefenderError Translate(string key, string[] messages, object? value)
    {
        if (key == _parameterName)
        {
            return FirstFailure(_attributes, value, container: null, _boundName)
                ?? ProblemDetailsMappingFallback(_boundName, messages);
        }

        var contract = _contractOptions();
        object? container = null;
        var current = value;
        var path = new StringBuilder();
        ValidationAttribute[] attributes = [];
        foreach (var segment in key.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var memberName = bracket >= 0 ? segment[..bracket] : segment;
            if (current is null || !TryGetMember(contract, current, memberName, out var property))
            {
                // A path the contract does not describe (an IValidatableObject naming something else): report it as written.
                return ProblemDetailsMappingFallback(path.Length > 0 ? path + "." + segment : key, messages);
            }

            path.Append(path.Length > 0 ? "." : string.Empty).Append(property.Name);
            container = current;
            attributes = MemberAttributes(property);
            current = property.Get!(current);
            if (bracket >= 0)
            {
                var index = int.Parse(segment.AsSpan(bracket + 1, segment.Length - bracket - 2), System.Globalization.CultureInfo.InvariantCulture);
                path.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
                container = current;
                attributes = [];
                current = ElementAt(current, index);
            }
        }

        var jsonPath = path.ToString();
        return FirstFailure(attributes, current, container, jsonPath)
            ?? ValidatableObjectError(container)
            ?? ProblemDetailsMappingFallback(jsonPath, messages);
    }

    private static bool TryGetMember(JsonSerializerOptions contract, object value, string clrName, out JsonPropertyInfo property)
    {
        JsonTypeInfo info;
        try
        {
            info = contract.GetTypeInfo(value.GetType());
        }
        catch (NotSupportedException)
        {
            property = null!;
            return false;
        }

        foreach (var candidate in info.Properties)
        {
            if (candidate.Get is not null && candidate.AttributeProvider is MemberInfo { Name: var name } && name == clrName)
            {
                property = candidate;
                return true;
            }
        }

        property = null!;
        return false;
    }

    private static ValidationAttribute[] MemberAttributes(JsonPropertyInfo property) =>
        DefenderAttributeSupport.Order(ModelValidator.Attributes(property.AttributeProvider)
            .Concat(ModelValidator.Attributes(property.AssociatedParameter?.AttributeProvider)).Distinct());

    private static object? ElementAt(object? collection, int index)
    {
        if (collection is IList list)
        {
            return index < list.Count ? list[index] : null;
        }

        if (collection is IEnumerable enumerable)
        {
            var i = 0;
            foreach (var item in enumerable)
            {
                if (i++ == index)
                {
                    return item;
                }
            }
        }

        return null;
    }

    private static DefenderError? FirstFailure(ValidationAttribute[] attributes, object? value, object? container, string name)
    {
        foreach (var attribute in attributes)
        {
            var failed = attribute is IDefenderValidationAttribute defender
                ? !defender.TryValidate(value, out _)
                : attribute.GetValidationResult(value, new ValidationContext(container ?? value ?? string.Empty, name, null, null) { MemberName = name }) != ValidationResult.Success;
            if (failed)
            {
                return DefenderAttributeSupport.ErrorFor(attribute, value, name);
            }
        }

        return null;
    }

    /// <summary>An <see cref="IValidatableObject"/> that reported the error itself, with <c>DefenderValidators.ToValidationResult</c>.</summary>
    private static DefenderError? ValidatableObjectError(object? container)
    {
        if (container is not IValidatableObject validatable)
        {
            return null;
        }

        foreach (var result in validatable.Validate(new ValidationContext(container, container.GetType().Name, null, null)))
        {
            if (result is DefenderValidationResult defender)
            {
                return defender.Error;
            }
        }

        return null;
    }

    private static DefenderError ProblemDetailsMappingFallback(string name, string[] messages) =>
        Internal.ProblemDetailsMapping.FromValidationErrors([new KeyValuePair<string, string[]>(name, messages)]) ?? DefenderError.InvalidInput(name);
}
