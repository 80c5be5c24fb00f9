using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
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
/// translated (<see cref="ValidationFailures"/>) and kept for the request; the ProblemDetails writer answers with it.
/// </summary>
internal sealed class DefenderValidationSetup(IOptions<DefenderErrorOptions> errorOptions, IOptions<HttpJsonOptions> json) : IPostConfigureOptions<ValidationOptions>
{
    public void PostConfigure(string? name, ValidationOptions options)
    {
        // No resolvers means the application did not call AddValidation(); adding one would switch the framework's filter on.
        if (!errorOptions.Value.ValidateRequests || options.Resolvers.Count == 0 || options.Resolvers.Any(r => r is DefenderValidatableInfoResolver))
        {
            return;
        }

        options.Resolvers.Insert(0, new DefenderValidatableInfoResolver(options, () => json.Value.SerializerOptions));
    }
}

internal sealed class DefenderValidatableInfoResolver(ValidationOptions options, Func<JsonSerializerOptions> contractOptions) : IValidatableInfoResolver
{
    // Types are described by the other resolvers; errors are collected per parameter, which is where the walk starts.
    public bool TryGetValidatableTypeInfo(Type type, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        validatableInfo = null;
        return false;
    }

    public bool TryGetValidatableParameterInfo(ParameterInfo parameterInfo, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
    {
        foreach (var resolver in options.Resolvers)
        {
            if (resolver != this && resolver.TryGetValidatableParameterInfo(parameterInfo, out var inner))
            {
                validatableInfo = new DefenderValidatableParameter(inner, parameterInfo, contractOptions);
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
        _boundName = ValidationFailures.BoundName(parameter);
        _attributes = DefenderAttributeSupport.Order(DefenderAttributeSupport.Attributes(parameter));
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
        state.Error = ValidationFailures.Translate(_contractOptions(), key == _parameterName ? string.Empty : key, messages, value, _attributes, _boundName);
    }
}
